"""Date rules a definition gives: earliest and latest (fixed or relative, in
days or working days), weekdays only and no bank holidays, each with its own
message, in the council's region."""

from __future__ import annotations

import datetime as dt

import pytest

from townhall.catalogue.engine.conditions import ConditionContext
from townhall.catalogue.engine.definition import DefinitionError, Question, parse_definition
from townhall.catalogue.engine.questions import check_answer
from townhall.catalogue.factories import definition_data, page_data, question_data
from townhall.tenancy.models import Organisation

FRIDAY = dt.date(2026, 11, 27)


def date_question(**settings) -> Question:
    return Question(
        id="day", type="date", label="When?", extra={"error_name": "the date", **settings}
    )


def check(question: Question, day: dt.date, *, today=FRIDAY, gss_code="") -> str | None:
    context = ConditionContext(today=today, organisation=Organisation(gss_code=gss_code))
    return check_answer(question, day.isoformat(), context)


def test_a_fixed_earliest_date_refuses_anything_before_it():
    question = date_question(earliest="1900-01-01")
    assert check(question, dt.date(1900, 1, 1)) is None
    assert check(question, dt.date(1850, 5, 1)) == (
        "The date must be the same as or after 1 January 1900"
    )


def test_within_the_last_2_working_days():
    question = date_question(earliest={"working_days": -2}, latest="today")
    assert check(question, FRIDAY) is None
    assert check(question, dt.date(2026, 11, 25)) is None  # Wednesday
    assert check(question, dt.date(2026, 11, 24)) == (
        "The date must be the same as or after 25 November 2026"
    )
    assert check(question, dt.date(2026, 11, 28)) == "The date must be today or in the past"
    # From a Monday, two working days back is the Thursday before.
    assert check(question, dt.date(2026, 11, 26), today=dt.date(2026, 11, 30)) is None


def test_at_least_3_working_days_ahead_counts_the_council_s_bank_holidays():
    question = date_question(earliest={"working_days": 3})
    assert check(question, dt.date(2026, 12, 1)) == (
        "The date must be the same as or after 2 December 2026"
    )
    assert check(question, dt.date(2026, 12, 2)) is None
    # In Scotland, Monday 30 November is St Andrew's Day.
    assert check(question, dt.date(2026, 12, 2), gss_code="S12000036") == (
        "The date must be the same as or after 3 December 2026"
    )


def test_weekdays_only_and_no_bank_holidays_have_their_own_messages():
    question = date_question(weekdays_only=True, no_bank_holidays=True)
    assert check(question, dt.date(2026, 12, 6)) == "The date must be a weekday, Monday to Friday"
    assert check(question, dt.date(2026, 12, 25)) == "The date must not be a bank holiday"
    assert check(question, dt.date(2026, 3, 17)) is None
    assert check(question, dt.date(2026, 3, 17), gss_code="N09000003") == (
        "The date must not be a bank holiday"
    )


def test_not_today_is_a_day_from_today():
    question = date_question(earliest={"days": 1})
    assert check(question, FRIDAY) == "The date must be the same as or after 28 November 2026"


def test_an_author_words_each_rule_themselves():
    question = date_question(
        weekdays_only=True, not_weekday_message="We collect from Monday to Friday"
    )
    assert check(question, dt.date(2026, 11, 29)) == "We collect from Monday to Friday"


def test_a_definition_with_impossible_date_limits_is_refused():
    data = definition_data(
        page_data(
            "when",
            question_data("a", "date", "When?", earliest="2026-02-30"),
            question_data("b", "date", "When?", earliest="2027-01-01", latest="2026-01-01"),
        )
    )
    with pytest.raises(DefinitionError) as refused:
        parse_definition(data)
    assert any("'2026-02-30' is not a real date" in p for p in refused.value.problems)
    assert any("earliest: is after latest" in p for p in refused.value.problems)


def test_a_relative_limit_must_say_days_or_working_days():
    question = question_data("a", "date", "When?", earliest={"weeks": 2})
    data = definition_data(page_data("when", question))
    with pytest.raises(DefinitionError):
        parse_definition(data)
