"""`date`: day, month and year boxes; stored as YYYY-MM-DD."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy

from townhall.catalogue.engine.types.base import AnswerError, FormData, QuestionType, single
from townhall.catalogue.engine.types.registry import register

if TYPE_CHECKING:
    from townhall.catalogue.engine.definition import Question

# (part, its label, the width of its box in characters)
DATE_PARTS = (
    ("day", gettext_lazy("Day"), 2),
    ("month", gettext_lazy("Month"), 2),
    ("year", gettext_lazy("Year"), 4),
)
# What a partly typed date lacks, each as a whole message.
MISSING_PARTS = {
    ("day",): gettext_lazy("The date must include a day"),
    ("month",): gettext_lazy("The date must include a month"),
    ("year",): gettext_lazy("The date must include a year"),
    ("day", "month"): gettext_lazy("The date must include a day and month"),
    ("day", "year"): gettext_lazy("The date must include a day and year"),
    ("month", "year"): gettext_lazy("The date must include a month and year"),
}


def _day(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


@register
class DateType(QuestionType):
    name = "date"
    api_datatype = "datetime"
    fieldset = True
    grouped_inputs = True
    in_groups = True
    properties = {"date": {"enum": ["past", "future", "any"]}}
    own_messages = ("required", "invalid", "too_early", "too_late")
    messages = {
        "required": gettext_lazy("Enter a date"),
        "invalid": gettext_lazy("The date must be a real date"),
        "short_year": gettext_lazy("The year must include 4 numbers"),
        "too_late": gettext_lazy("The date must be today or in the past"),
        "too_early": gettext_lazy("The date must be today or in the future"),
    }

    def api_answer(self, question: Question, raw: str | list[str]) -> Any:
        """A W3C date or date and time: its date ("2026-03-27T10:00:00Z" is 27 March)."""
        text = (raw if isinstance(raw, str) else (raw[0] if raw else "")).strip()
        day = text[:10]
        if len(day) == 10 and day[4] == "-" and day[7] == "-":
            year, month, mday = day.split("-")
            return self._from_parts(question, mday, month, year, fallback=text)
        return text

    def _from_parts(
        self, question: Question, day: str, month: str, year: str, *, fallback: str
    ) -> Any:
        data = {
            f"{question.id}-day": day,
            f"{question.id}-month": month,
            f"{question.id}-year": year,
        }
        try:
            return self.parse(question, data, {})
        except AnswerError:
            return fallback

    def parse(self, question: Question, data: FormData, files: FormData) -> Any:
        parts = {part: single(data, f"{question.id}-{part}") for part, _label, _w in DATE_PARTS}
        if not any(parts.values()):
            return ""
        missing = tuple(part for part, value in parts.items() if not value)
        if missing:
            raise AnswerError(str(MISSING_PARTS[missing]))
        try:
            day, month, year = int(parts["day"]), int(parts["month"]), int(parts["year"])
        except ValueError as error:
            raise AnswerError(self.message(question, "invalid")) from error
        # Outside the try: an AnswerError is a ValueError, so it would be reworded there.
        if year < 1000:
            raise AnswerError(self.message(question, "short_year"))
        try:
            return dt.date(year, month, day).isoformat()
        except (ValueError, OverflowError) as error:  # OverflowError: a year too big for C
            raise AnswerError(self.message(question, "invalid")) from error

    def check(self, question: Question, value: Any) -> str | None:
        day = _day(value)
        if day is None:
            return self.message(question, "invalid")
        today = timezone.localdate()
        if question.date == "past" and day > today:
            return self.message(question, "too_late")
        if question.date == "future" and day < today:
            return self.message(question, "too_early")
        return None

    def display(self, question: Question, value: Any) -> str:
        day = _day(value)
        return date_format(day, "j F Y") if day else str(value)

    def export(self, question: Question, value: Any) -> Any:
        return value  # already ISO 8601 text

    def anchor(self, question: Question) -> str:
        return f"{question.id}-day"

    def widget(
        self, question: Question, answer: Any, raw: FormData, *, extra_items: int = 0
    ) -> dict[str, Any]:
        """Each box as (part, label, width, what to show in it)."""
        stored = _day(answer)
        parts = []
        for part, label, width in DATE_PARTS:
            typed = raw.get(f"{question.id}-{part}") if raw else None
            if typed is not None:
                shown = str(typed)
            else:
                shown = str(getattr(stored, part)) if stored else ""
            parts.append((part, label, width, shown))
        return {"date_parts": parts}
