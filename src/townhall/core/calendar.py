"""Working days and UK bank holidays, for date rules in service definitions and
for service level deadlines.

The bank holidays of England and Wales, Scotland and Northern Ireland come from
the `holidays` package (rules for every year, and the one-off days such as a
coronation, as its maintainers publish them): nothing is fetched at run time.
A council's region follows from its GSS code (E and W codes: England and
Wales; S: Scotland; N: Northern Ireland); without one, England and Wales."""

from __future__ import annotations

import datetime as dt
import enum
from functools import lru_cache
from typing import Any

import holidays
from django.utils.translation import gettext_lazy


class Region(enum.StrEnum):
    """The three bank holiday calendars, named as GOV.UK names them."""

    ENGLAND_AND_WALES = "england-and-wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern-ireland"

    @property
    def label(self) -> str:
        return str(_REGION_LABELS[self])


_REGION_LABELS = {
    Region.ENGLAND_AND_WALES: gettext_lazy("England and Wales"),
    Region.SCOTLAND: gettext_lazy("Scotland"),
    Region.NORTHERN_IRELAND: gettext_lazy("Northern Ireland"),
}
# The `holidays` package's subdivision of the United Kingdom for each region
# (Wales has the same bank holidays as England).
_SUBDIVISIONS = {
    Region.ENGLAND_AND_WALES: "ENG",
    Region.SCOTLAND: "SCT",
    Region.NORTHERN_IRELAND: "NIR",
}
DEFAULT_REGION = Region.ENGLAND_AND_WALES
# A working-day count further than this is a mistake, not a deadline.
MAX_WORKING_DAYS = 3660


def region_for_gss_code(code: str) -> Region:
    """The bank holiday region of a council from its GSS code ("S12000036")."""
    first = code[:1].upper()
    if first == "S":
        return Region.SCOTLAND
    if first == "N":
        return Region.NORTHERN_IRELAND
    return Region.ENGLAND_AND_WALES


def region_for(organisation: Any) -> Region:
    """The bank holiday region of a council (an Organisation), or the default one."""
    code = getattr(organisation, "gss_code", "") or ""
    return region_for_gss_code(code) if code else DEFAULT_REGION


@lru_cache(maxsize=64)
def _bank_holidays(region: Region, year: int) -> frozenset[dt.date]:
    calendar = holidays.country_holidays("GB", subdiv=_SUBDIVISIONS[region], years=year)
    return frozenset(calendar)


def bank_holidays(region: Region, year: int) -> frozenset[dt.date]:
    """The bank holidays of `region` in `year` (substitute days included)."""
    return _bank_holidays(Region(region), year)


def is_bank_holiday(day: dt.date, region: Region = DEFAULT_REGION) -> bool:
    return day in bank_holidays(region, day.year)


def is_weekday(day: dt.date) -> bool:
    """Monday to Friday."""
    return day.weekday() < 5


def is_working_day(day: dt.date, region: Region = DEFAULT_REGION) -> bool:
    """A weekday that is not a bank holiday in `region`."""
    return is_weekday(day) and not is_bank_holiday(day, region)


def working_days_add(day: dt.date, count: int, region: Region = DEFAULT_REGION) -> dt.date:
    """The working day `count` working days after `day` (before it when `count`
    is negative). With 0, `day` itself if it is a working day, else the next one.
    A deadline "within 2 working days" of a Friday is the Tuesday after."""
    if abs(count) > MAX_WORKING_DAYS:
        raise ValueError(f"{count} working days is too far")
    step = -1 if count < 0 else 1
    current = day
    if count == 0:
        while not is_working_day(current, region):
            current += dt.timedelta(days=1)
        return current
    remaining = abs(count)
    while remaining:
        current += dt.timedelta(days=step)
        if is_working_day(current, region):
            remaining -= 1
    return current


def working_days_between(start: dt.date, end: dt.date, region: Region = DEFAULT_REGION) -> int:
    """How many working days after `start` up to and including `end` (negative
    when `end` is before `start`): 1 from a Monday to the Tuesday."""
    if end < start:
        return -working_days_between(end, start, region)
    days = (end - start).days
    return sum(
        1 for n in range(1, days + 1) if is_working_day(start + dt.timedelta(days=n), region)
    )
