"""Working days and bank holidays in the three UK calendars."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from townhall.core import calendar
from townhall.core.calendar import Region

D = dt.date


@pytest.mark.parametrize(
    ("day", "region", "holiday"),
    [
        (D(2026, 12, 25), Region.ENGLAND_AND_WALES, True),
        (D(2026, 12, 28), Region.ENGLAND_AND_WALES, True),  # Boxing Day, observed
        (D(2026, 4, 6), Region.ENGLAND_AND_WALES, True),  # Easter Monday
        (D(2026, 4, 6), Region.SCOTLAND, False),
        (D(2026, 1, 2), Region.SCOTLAND, True),
        (D(2026, 1, 2), Region.ENGLAND_AND_WALES, False),
        (D(2026, 11, 30), Region.SCOTLAND, True),  # St Andrew's Day
        (D(2026, 3, 17), Region.NORTHERN_IRELAND, True),  # St Patrick's Day
        (D(2026, 3, 17), Region.ENGLAND_AND_WALES, False),
        (D(2026, 7, 13), Region.NORTHERN_IRELAND, True),  # the Twelfth, observed
        (D(2026, 8, 3), Region.SCOTLAND, True),
        (D(2026, 8, 31), Region.SCOTLAND, False),
    ],
)
def test_each_region_has_its_own_bank_holidays(day, region, holiday):
    assert calendar.is_bank_holiday(day, region) is holiday
    assert calendar.is_working_day(day, region) is (not holiday and day.weekday() < 5)


def test_a_council_s_region_follows_its_gss_code():
    assert calendar.region_for_gss_code("S12000036") is Region.SCOTLAND
    assert calendar.region_for_gss_code("N09000003") is Region.NORTHERN_IRELAND
    assert calendar.region_for_gss_code("W06000015") is Region.ENGLAND_AND_WALES
    assert calendar.region_for_gss_code("E07000178") is Region.ENGLAND_AND_WALES
    assert calendar.region_for(None) is Region.ENGLAND_AND_WALES


def test_working_days_skip_weekends_and_bank_holidays():
    friday = D(2026, 12, 18)
    assert calendar.working_days_add(friday, 1) == D(2026, 12, 21)
    # Christmas Day (Friday) and Boxing Day observed (Monday 28th) are skipped.
    assert calendar.working_days_add(D(2026, 12, 24), 1) == D(2026, 12, 29)
    assert calendar.working_days_add(D(2026, 12, 29), -1) == D(2026, 12, 24)
    assert calendar.working_days_add(D(2026, 11, 28), 0) == D(2026, 11, 30)  # a Saturday
    # In Scotland, 30 November is St Andrew's Day.
    assert calendar.working_days_add(D(2026, 11, 28), 0, Region.SCOTLAND) == D(2026, 12, 1)


def test_a_silly_count_of_working_days_is_refused():
    with pytest.raises(ValueError, match="too far"):
        calendar.working_days_add(D(2026, 1, 1), 1_000_000)


@given(
    st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 12, 31)),
    st.integers(min_value=-60, max_value=60),
    st.sampled_from(list(Region)),
)
def test_adding_working_days_lands_on_a_working_day_that_far_away(day, count, region):
    landed = calendar.working_days_add(day, count, region)
    assert calendar.is_working_day(landed, region)
    if count > 0:
        assert calendar.working_days_between(day, landed, region) == count
    elif count < 0:
        assert calendar.working_days_between(landed, day, region) in (-count, -count - 1)
        assert calendar.working_days_add(landed, -count, region) >= day
