"""`date`: day, month and year boxes; stored as YYYY-MM-DD.

A definition may limit the dates it accepts: `date: past` or `future`, an
`earliest` and a `latest` date (fixed, "today", or a number of days or working
days from today), weekdays only, and no bank holidays (the council's region's,
see `townhall.core.calendar`). Each rule has its own message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from townhall.catalogue.engine.types.base import (
    AnswerError,
    FormData,
    QuestionType,
    Schema,
    single,
)
from townhall.catalogue.engine.types.registry import register
from townhall.core import calendar

if TYPE_CHECKING:
    from townhall.catalogue.engine.conditions.context import ConditionContext
    from townhall.catalogue.engine.definition import Question

# (part, its label, the width of its box in characters)
DATE_PARTS = (
    ("day", gettext_lazy("Day"), 2),
    ("month", gettext_lazy("Month"), 2),
    ("year", gettext_lazy("Year"), 4),
)
# What a partly typed date lacks: the message key for each.
MISSING_KEYS = {
    ("day",): "no_day",
    ("month",): "no_month",
    ("year",): "no_year",
    ("day", "month"): "no_day_month",
    ("day", "year"): "no_day_year",
    ("month", "year"): "no_month_year",
}
DATE_LIMIT: Schema = {
    "description": (
        "A fixed date (YYYY-MM-DD), 'today', or days from today: {days: -30} or"
        " {working_days: 3} (negative in the past)."
    ),
    "oneOf": [
        {"type": "string", "pattern": r"^(today|[0-9]{4}-[0-9]{2}-[0-9]{2})$"},
        {
            "type": "object",
            "additionalProperties": False,
            "minProperties": 1,
            "maxProperties": 1,
            "properties": {
                "days": {"type": "integer", "minimum": -36600, "maximum": 36600},
                "working_days": {"type": "integer", "minimum": -3660, "maximum": 3660},
            },
        },
    ],
}


def _day(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def resolve_limit(limit: Any, today: dt.date, region: calendar.Region) -> dt.date | None:
    """The date a definition's `earliest` or `latest` stands for today."""
    if limit is None:
        return None
    if limit == "today":
        return today
    if isinstance(limit, str):
        return _day(limit)
    if "working_days" in limit:
        return calendar.working_days_add(today, int(limit["working_days"]), region)
    return today + dt.timedelta(days=int(limit.get("days", 0)))


def long_date(day: dt.date) -> str:
    """A date as GOV.UK writes it: 30 November 2026."""
    return date_format(day, "j F Y")


@register
class DateType(QuestionType):
    name = "date"
    api_datatype = "datetime"
    fieldset = True
    grouped_inputs = True
    in_groups = True
    properties = {
        "date": {"enum": ["past", "future", "any"]},
        "earliest": DATE_LIMIT,
        "latest": DATE_LIMIT,
        "weekdays_only": {"type": "boolean"},
        "no_bank_holidays": {"type": "boolean"},
    }
    messages = {
        "required": gettext_lazy("Enter a date"),
        "invalid": gettext_lazy("The date must be a real date"),
        "no_day": gettext_lazy("The date must include a day"),
        "no_month": gettext_lazy("The date must include a month"),
        "no_year": gettext_lazy("The date must include a year"),
        "no_day_month": gettext_lazy("The date must include a day and month"),
        "no_day_year": gettext_lazy("The date must include a day and year"),
        "no_month_year": gettext_lazy("The date must include a month and year"),
        "short_year": gettext_lazy("The year must include 4 numbers"),
        "too_late": gettext_lazy("The date must be today or in the past"),
        "too_early": gettext_lazy("The date must be today or in the future"),
        "before_earliest": gettext_lazy("The date must be the same as or after %(date)s"),
        "after_latest": gettext_lazy("The date must be the same as or before %(date)s"),
        "not_weekday": gettext_lazy("The date must be a weekday, Monday to Friday"),
        "bank_holiday": gettext_lazy("The date must not be a bank holiday"),
    }
    named_messages = {
        "required": gettext_lazy("Enter %(what)s"),
        "invalid": gettext_lazy("%(What)s must be a real date"),
        "no_day": gettext_lazy("%(What)s must include a day"),
        "no_month": gettext_lazy("%(What)s must include a month"),
        "no_year": gettext_lazy("%(What)s must include a year"),
        "no_day_month": gettext_lazy("%(What)s must include a day and month"),
        "no_day_year": gettext_lazy("%(What)s must include a day and year"),
        "no_month_year": gettext_lazy("%(What)s must include a month and year"),
        "too_late": gettext_lazy("%(What)s must be today or in the past"),
        "too_early": gettext_lazy("%(What)s must be today or in the future"),
        "before_earliest": gettext_lazy("%(What)s must be the same as or after %(date)s"),
        "after_latest": gettext_lazy("%(What)s must be the same as or before %(date)s"),
        "not_weekday": gettext_lazy("%(What)s must be a weekday, Monday to Friday"),
        "bank_holiday": gettext_lazy("%(What)s must not be a bank holiday"),
    }

    def definition_problems(self, question: Mapping[str, Any], where: str) -> list[str]:
        problems = []
        for key in ("earliest", "latest"):
            limit = question.get(key)
            if isinstance(limit, str) and limit != "today" and _day(limit) is None:
                problems.append(
                    _("%(where)s.%(key)s: %(value)r is not a real date")
                    % {"where": where, "key": key, "value": limit}
                )
        low, high = _day(question.get("earliest")), _day(question.get("latest"))
        if low and high and low > high:
            problems.append(_("%(where)s.earliest: is after latest") % {"where": where})
        return problems

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
            raise AnswerError(self.message(question, MISSING_KEYS[missing]))
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
        return self.check_in(question, value, None)

    def check_in(
        self, question: Question, value: Any, context: ConditionContext | None
    ) -> str | None:
        day = _day(value)
        if day is None:
            return self.message(question, "invalid")
        today = context.today if context is not None else timezone.localdate()
        region = calendar.region_for(context.organisation if context is not None else None)
        if question.date == "past" and day > today:
            return self.message(question, "too_late")
        if question.date == "future" and day < today:
            return self.message(question, "too_early")
        earliest = resolve_limit(question.setting("earliest"), today, region)
        latest = resolve_limit(question.setting("latest"), today, region)
        if earliest is not None and day < earliest:
            if earliest == today:
                return self.message(question, "too_early")
            return self.message(question, "before_earliest", date=long_date(earliest))
        if latest is not None and day > latest:
            if latest == today:
                return self.message(question, "too_late")
            return self.message(question, "after_latest", date=long_date(latest))
        if question.setting("weekdays_only") and not calendar.is_weekday(day):
            return self.message(question, "not_weekday")
        if question.setting("no_bank_holidays") and calendar.is_bank_holiday(day, region):
            return self.message(question, "bank_holiday")
        return None

    def possible_errors(self, question: Question) -> tuple[str, ...]:
        unreachable = {
            "too_late": question.date != "past" and question.setting("latest") is None,
            "too_early": question.date != "future" and question.setting("earliest") is None,
            "before_earliest": question.setting("earliest") is None,
            "after_latest": question.setting("latest") is None,
            "not_weekday": not question.setting("weekdays_only"),
            "bank_holiday": not question.setting("no_bank_holidays"),
        }
        return tuple(k for k in super().possible_errors(question) if not unreachable.get(k))

    def example_values(self, question: Question, key: str) -> dict[str, Any]:
        today = timezone.localdate()
        limit = question.setting("earliest" if key == "before_earliest" else "latest")
        day = resolve_limit(limit, today, calendar.DEFAULT_REGION) or today
        return {"date": long_date(day)}

    def display(self, question: Question, value: Any) -> str:
        day = _day(value)
        return long_date(day) if day else str(value)

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
