"""Answers and operands as conditions read them: strictly typed, so that a
boolean never equals a number and text never compares with a number."""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
TODAY = "today"


class AnswerKind(enum.StrEnum):
    """What a question's answer is, as far as a condition can test it."""

    TEXT = "text"
    CHOICE = "choice"  # one of the question's option values
    CHOICES = "choices"  # a list of option values
    NUMBER = "number"
    DATE = "date"  # written YYYY-MM-DD
    BOOLEAN = "boolean"
    OTHER = "other"  # files, addresses, groups, places: answered or not (and places in_area)


ANSWER_KINDS: Mapping[str, AnswerKind] = {
    # `location` is a place, not text: it is tested with `answered` and `in_area`.
    **dict.fromkeys(("text", "textarea", "email", "phone", "postcode", "name"), AnswerKind.TEXT),
    "radios": AnswerKind.CHOICE,
    "select": AnswerKind.CHOICE,
    "checkboxes": AnswerKind.CHOICES,
    "number": AnswerKind.NUMBER,
    "money": AnswerKind.NUMBER,  # in pence, as the answer is stored
    "date": AnswerKind.DATE,
    "yes_no": AnswerKind.BOOLEAN,
    "declaration": AnswerKind.BOOLEAN,
}


def answer_kind(question_type: str) -> AnswerKind:
    """A type not listed (a new one) can be tested only with `answered`."""
    return ANSWER_KINDS.get(question_type, AnswerKind.OTHER)


@dataclass(frozen=True)
class Subject:
    """A question as a condition's import check sees it."""

    id: str
    type: str
    options: tuple[str, ...] = ()  # option values, for choice questions

    @property
    def kind(self) -> AnswerKind:
        return answer_kind(self.type)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Subject:
        """From a question as written in a definition (already schema-checked)."""
        return cls(
            id=data["id"],
            type=data["type"],
            options=tuple(option["value"] for option in data.get("options", [])),
        )


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def is_number(value: Any) -> bool:
    """A number, never a boolean (which Python counts as an int)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def same_value(answer: Any, operand: Any) -> bool:
    """Equal and of the same kind: `true` is not 1, "1" is not 1, 1 is 1.0."""
    if isinstance(answer, bool) or isinstance(operand, bool):
        return isinstance(answer, bool) and isinstance(operand, bool) and answer is operand
    if is_number(answer) and is_number(operand):
        return bool(answer == operand)
    if isinstance(answer, str) and isinstance(operand, str):
        return answer == operand
    return False


def as_date(value: Any) -> dt.date | None:
    """A date written YYYY-MM-DD (as date answers are stored), else None."""
    if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def operand_date(operand: Any, today: dt.date) -> dt.date | None:
    """A date operand: `today`, or a date written YYYY-MM-DD."""
    return today if operand == TODAY else as_date(operand)


def value_problem(subject: Subject, value: Any) -> str | None:
    """Why `value` can never be the subject's answer, or None if it can."""
    names = {"question": subject.id, "type": subject.type, "value": value}
    kind = subject.kind
    if kind is AnswerKind.CHOICE:
        if not isinstance(value, str):
            message = _("%(question)r is a question of type %(type)s: compare it with an option")
            return message % names
        if subject.options and value not in subject.options:
            return _("%(value)r is not an option of %(question)r") % names
        return None
    if kind is AnswerKind.TEXT and not isinstance(value, str):
        return _("%(question)r is a question of type %(type)s: compare it with text") % names
    if kind is AnswerKind.NUMBER and not is_number(value):
        return _("%(question)r is a number question: compare it with a number") % names
    if kind is AnswerKind.DATE and as_date(value) is None:
        return (
            _("%(question)r is a date question: compare it with a date written like 2026-04-01")
            % names
        )
    if kind is AnswerKind.BOOLEAN and not isinstance(value, bool):
        message = _("%(question)r is a question of type %(type)s: compare it with true or false")
        return message % names
    if kind is AnswerKind.CHOICES:
        return _("%(question)r is a checkboxes question: test it with contains") % names
    if kind is AnswerKind.OTHER:
        return _("%(question)r is a question of type %(type)s: test it only with answered") % names
    return None
