"""`number`: a whole or decimal number (commas between thousands are ignored)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from townhall.catalogue.engine.types.base import (
    AnswerError,
    FormData,
    QuestionType,
    plain_number,
    single,
)
from townhall.catalogue.engine.types.registry import register

if TYPE_CHECKING:
    from townhall.catalogue.engine.definition import Question


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


@register
class NumberType(QuestionType):
    name = "number"
    in_groups = True
    properties = {"min": {"type": "number"}, "max": {"type": "number"}}
    messages = {
        "required": gettext_lazy("Enter a number"),
        "invalid": gettext_lazy("The answer must be a number"),
        "too_small": gettext_lazy("The number must be %(min)s or more"),
        "too_large": gettext_lazy("The number must be %(max)s or less"),
    }
    named_messages = {
        "required": gettext_lazy("Enter %(what)s"),
        "invalid": gettext_lazy("%(What)s must be a number"),
        "too_small": gettext_lazy("%(What)s must be %(min)s or more"),
        "too_large": gettext_lazy("%(What)s must be %(max)s or less"),
    }

    def definition_problems(self, question: Mapping[str, Any], where: str) -> list[str]:
        if "min" in question and "max" in question and question["min"] > question["max"]:
            return [_("%(where)s.min: is more than max") % {"where": where}]
        return []

    def parse(self, question: Question, data: FormData, files: FormData) -> Any:
        raw = single(data, question.id).replace(",", "")
        if raw == "":
            return ""
        try:
            number = float(raw)
        except ValueError as error:
            raise AnswerError(self.message(question, "invalid")) from error
        if not math.isfinite(number):  # NaN, infinity, or too big for a float
            raise AnswerError(self.message(question, "invalid"))
        return int(number) if number.is_integer() else number

    def check(self, question: Question, value: Any) -> str | None:
        if not _is_number(value):
            return self.message(question, "invalid")
        if question.min is not None and value < question.min:
            return self.message(question, "too_small", min=plain_number(question.min))
        if question.max is not None and value > question.max:
            return self.message(question, "too_large", max=plain_number(question.max))
        return None

    def possible_errors(self, question: Question) -> tuple[str, ...]:
        unreachable = {"too_small": question.min is None, "too_large": question.max is None}
        return tuple(k for k in super().possible_errors(question) if not unreachable.get(k))

    def example_values(self, question: Question, key: str) -> dict[str, Any]:
        return {
            "min": plain_number(question.min) if question.min is not None else 0,
            "max": plain_number(question.max) if question.max is not None else 0,
        }

    def display(self, question: Question, value: Any) -> str:
        return plain_number(value) if _is_number(value) else str(value)
