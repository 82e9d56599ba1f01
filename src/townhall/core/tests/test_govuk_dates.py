"""Dates and times as GOV.UK writes them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from townhall.core.templatetags.govuk import govuk_date, govuk_datetime, govuk_time

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("time", "words"),
    [((11, 52), "11:52am"), ((15, 0), "3pm"), ((12, 0), "midday"), ((0, 0), "midnight"),
     ((0, 5), "12:05am"), ((12, 30), "12:30pm"), ((23, 59), "11:59pm")],
)  # fmt: skip
def test_times_read_as_gov_uk_writes_them(time, words):
    assert govuk_time(dt.time(*time)) == words


def test_a_moment_is_shown_in_the_council_s_time_zone(settings):
    settings.TIME_ZONE = "Europe/London"
    summer = dt.datetime(2026, 7, 1, 10, 52, tzinfo=dt.UTC)  # 11:52am in London
    assert govuk_datetime(summer) == "1 July 2026 at 11:52am"
    assert govuk_date(dt.date(2026, 11, 30)) == "30 November 2026"
    assert govuk_date(None) == "" and govuk_time(None) == ""
