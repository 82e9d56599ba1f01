"""The periods figures are counted in: day, week (from Monday), month, and
the UK financial year (1 April to 31 March)."""

from __future__ import annotations

import enum
from datetime import date, timedelta

from django.utils.translation import gettext as _


class Period(enum.StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    FINANCIAL_YEAR = "financial_year"


def financial_year_start(day: date) -> date:
    """1 April of the financial year `day` is in."""
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def period_start(day: date, period: Period) -> date:
    """The first day of the `period` that `day` falls in."""
    if period is Period.DAY:
        return day
    if period is Period.WEEK:
        return day - timedelta(days=day.weekday())
    if period is Period.MONTH:
        return day.replace(day=1)
    return financial_year_start(day)


def period_label(start: date, period: Period) -> str:
    """How a period is named in tables: "2026-11-30", "week of 2026-11-30",
    "2026-11", "2026-27" (a financial year)."""
    if period is Period.DAY:
        return start.isoformat()
    if period is Period.WEEK:
        return _("week of %(date)s") % {"date": start.isoformat()}
    if period is Period.MONTH:
        return start.strftime("%Y-%m")
    return f"{start.year}-{(start.year + 1) % 100:02d}"


def year_before(start: date, end: date) -> tuple[date, date]:
    """The same dates a year earlier (29 February becomes the 28th)."""

    def back(day: date) -> date:
        try:
            return day.replace(year=day.year - 1)
        except ValueError:
            return day.replace(year=day.year - 1, day=28)

    return back(start), back(end)
