"""`number`: a whole or decimal number (commas between thousands are ignored)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from townhall.catalogue.engine.types.base import (
    AnswerError,
    FormData,
    QuestionType,
    author_text,
    plain_number,
    single,
)
from townhall.catalogue.engine.types.registry import register

if TYPE_CHECKING:
    from townhall.catalogue.engine.definition import Question


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _decimal_places(value: float) -> int:
    text = plain_number(value)
    return len(text.split(".")[1]) if "." in text else 0


@register
class NumberType(QuestionType):
    name = "number"
    api_datatype = "number"
    in_groups = True
    properties = {
        "min": {"type": "number"},
        "max": {"type": "number"},
        "decimals": {
            "type": "integer",
            "minimum": 0,
            "maximum": 6,
            "description": "The most decimal places an answer may have; 0 for whole numbers.",
        },
        "unit": author_text(20, "Shown after the box and the answer, for example 'cm'."),
    }
    messages = {
        "required": gettext_lazy("Enter a number"),
        "invalid": gettext_lazy("The answer must be a number"),
        "too_small": gettext_lazy("The number must be %(min)s or more"),
        "too_large": gettext_lazy("The number must be %(max)s or less"),
        "not_whole": gettext_lazy("The number must be a whole number"),
        "too_precise": ngettext_lazy(
            "The number must have %(decimals)d decimal place or fewer",
            "The number must have %(decimals)d decimal places or fewer",
            "decimals",
        ),
    }
    named_messages = {
        "required": gettext_lazy("Enter %(what)s"),
        "invalid": gettext_lazy("%(What)s must be a number"),
        "too_small": gettext_lazy("%(What)s must be %(min)s or more"),
        "too_large": gettext_lazy("%(What)s must be %(max)s or less"),
        "not_whole": gettext_lazy("%(What)s must be a whole number"),
        "too_precise": ngettext_lazy(
            "%(What)s must have %(decimals)d decimal place or fewer",
            "%(What)s must have %(decimals)d decimal places or fewer",
            "decimals",
        ),
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
        decimals = question.setting("decimals")
        if decimals is not None and _decimal_places(value) > decimals:
            if decimals == 0:
                return self.message(question, "not_whole")
            return self.message(question, "too_precise", decimals=decimals)
        return None

    def possible_errors(self, question: Question) -> tuple[str, ...]:
        decimals = question.setting("decimals")
        unreachable = {
            "too_small": question.min is None,
            "too_large": question.max is None,
            "not_whole": decimals != 0,
            "too_precise": not decimals,
        }
        return tuple(k for k in super().possible_errors(question) if not unreachable.get(k))

    def example_values(self, question: Question, key: str) -> dict[str, Any]:
        return {
            "min": plain_number(question.min) if question.min is not None else 0,
            "max": plain_number(question.max) if question.max is not None else 0,
            "decimals": question.setting("decimals") or 0,
        }

    def display(self, question: Question, value: Any) -> str:
        if not _is_number(value):
            return str(value)
        unit = question.setting("unit")
        return f"{plain_number(value)} {unit}" if unit else plain_number(value)

    def widget(
        self, question: Question, answer: Any, raw: FormData, *, extra_items: int = 0
    ) -> dict[str, Any]:
        return {"unit": question.setting("unit") or ""}
