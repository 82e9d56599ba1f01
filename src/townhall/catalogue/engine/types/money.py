"""`money`: an amount in pounds and pence. "£1,200.50", "1200.5" and "1200"
are accepted; the answer is stored as a whole number of pence (120050) and
shown as GOV.UK writes money: "£1,200.50", "£150" (no ".00")."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from townhall.catalogue.engine.types.base import AnswerError, FormData, QuestionType, single
from townhall.catalogue.engine.types.registry import register

if TYPE_CHECKING:
    from townhall.catalogue.engine.definition import Question

# Pounds with optional commas between thousands, then optional pence.
AMOUNT = re.compile(r"^(?P<pounds>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<pence>\d{1,2}))?$")
# A pound sign, "GBP" or a space anywhere is ignored, as are "p" for pence amounts.
IGNORED = re.compile(r"[£\s]|^gbp", re.IGNORECASE)
LARGEST_PENCE = 10**13  # £100 billion: past this, a typing mistake


def pounds(pence: int) -> str:
    """Pence as GOV.UK writes money: £1,200.50, or £150 for whole pounds."""
    whole, part = divmod(abs(pence), 100)
    sign = "-" if pence < 0 else ""
    return f"{sign}£{whole:,}" + (f".{part:02d}" if part else "")


def _is_pence(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_pence(text: str) -> int | None:
    """An amount as typed ("£1,200.50") in pence, or None if it is not one."""
    match = AMOUNT.match(IGNORED.sub("", text))
    if match is None:
        return None
    pence = (match.group("pence") or "0").ljust(2, "0")
    return int(match.group("pounds").replace(",", "")) * 100 + int(pence)


@register
class MoneyType(QuestionType):
    name = "money"
    in_groups = True
    properties = {
        "min_pounds": {"type": "number", "minimum": 0},
        "max_pounds": {"type": "number", "exclusiveMinimum": 0, "maximum": 1_000_000_000},
        "whole_pounds": {"type": "boolean", "description": "Refuse pence."},
    }
    messages = {
        "required": gettext_lazy("Enter an amount"),
        "invalid": gettext_lazy("The amount must be in pounds and pence, like 150 or 150.50"),
        "not_whole": gettext_lazy("The amount must be in whole pounds, like 150"),
        "too_small": gettext_lazy("The amount must be %(min)s or more"),
        "too_large": gettext_lazy("The amount must be %(max)s or less"),
    }
    named_messages = {
        "required": gettext_lazy("Enter %(what)s"),
        "invalid": gettext_lazy("%(What)s must be in pounds and pence, like 150 or 150.50"),
        "not_whole": gettext_lazy("%(What)s must be in whole pounds, like 150"),
        "too_small": gettext_lazy("%(What)s must be %(min)s or more"),
        "too_large": gettext_lazy("%(What)s must be %(max)s or less"),
    }

    def definition_problems(self, question: Mapping[str, Any], where: str) -> list[str]:
        low, high = question.get("min_pounds"), question.get("max_pounds")
        if low is not None and high is not None and low > high:
            return [_("%(where)s.min_pounds: is more than max_pounds") % {"where": where}]
        return []

    def parse(self, question: Question, data: FormData, files: FormData) -> Any:
        typed = single(data, question.id)
        if typed == "":
            return ""
        pence = parse_pence(typed)
        if pence is None or pence > LARGEST_PENCE:
            raise AnswerError(self.message(question, "invalid"))
        return pence

    def check(self, question: Question, value: Any) -> str | None:
        if not _is_pence(value) or value < 0 or value > LARGEST_PENCE:
            return self.message(question, "invalid")
        low, high = self._limits(question)
        if question.setting("whole_pounds") and value % 100:
            return self.message(question, "not_whole")
        if low is not None and value < low:
            return self.message(question, "too_small", min=pounds(low))
        if high is not None and value > high:
            return self.message(question, "too_large", max=pounds(high))
        return None

    def _limits(self, question: Question) -> tuple[int | None, int | None]:
        low, high = question.setting("min_pounds"), question.setting("max_pounds")
        return (
            round(low * 100) if low is not None else None,
            round(high * 100) if high is not None else None,
        )

    def possible_errors(self, question: Question) -> tuple[str, ...]:
        low, high = self._limits(question)
        unreachable = {
            "not_whole": not question.setting("whole_pounds"),
            "too_small": low is None,
            "too_large": high is None,
        }
        return tuple(k for k in super().possible_errors(question) if not unreachable.get(k))

    def example_values(self, question: Question, key: str) -> dict[str, Any]:
        low, high = self._limits(question)
        return {"min": pounds(low or 0), "max": pounds(high or 0)}

    def display(self, question: Question, value: Any) -> str:
        return pounds(value) if _is_pence(value) else str(value)

    def export(self, question: Question, value: Any) -> Any:
        return value  # pence, a whole number: no rounding for whoever reads it

    def redisplay(self, question: Question, answer: Any, raw: FormData) -> Any:
        if raw:
            return raw.get(question.id, "")
        if _is_pence(answer):
            whole, part = divmod(answer, 100)
            return f"{whole}.{part:02d}" if part else str(whole)
        return answer
