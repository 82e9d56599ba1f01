"""Money in pounds and pence, stored as pence; numbers with units and decimal
places."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from townhall.catalogue.engine.definition import Question
from townhall.catalogue.engine.inputs import AnswerError, parse_input
from townhall.catalogue.engine.questions import check_answer, display_answer
from townhall.catalogue.engine.types.money import parse_pence, pounds


def money(**extra) -> Question:
    return Question(id="amount", type="money", label="How much?",
                    extra={"error_name": "your savings", **extra})  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "pence"),
    [("£1,200.50", 120050), ("1200.5", 120050), ("1200", 120000), ("£ 150.05", 15005),
     ("0", 0), ("0.99", 99), ("1,000,000", 100000000), ("GBP 12", 1200)],
)  # fmt: skip
def test_amounts_are_read_as_pence(typed, pence):
    assert parse_input(money(), {"amount": typed}, {}) == pence


@pytest.mark.parametrize("typed", ["12.345", "£12.3.4", "twelve", "1,20", "-5", "12p", "1e5"])
def test_what_is_not_an_amount_is_refused_with_an_example(typed):
    with pytest.raises(AnswerError) as refused:
        parse_input(money(), {"amount": typed}, {})
    assert str(refused.value) == "Your savings must be in pounds and pence, like 150 or 150.50"


def test_money_is_shown_as_gov_uk_writes_it():
    assert display_answer(money(), 15050) == "£150.50"
    assert display_answer(money(), 15000) == "£150"
    assert display_answer(money(), 120000050) == "£1,200,000.50"


def test_limits_are_in_pounds():
    question = money(min_pounds=1, max_pounds=10000, whole_pounds=True)
    assert check_answer(question, 0) == "Your savings must be £1 or more"
    assert check_answer(question, 1000001) == "Your savings must be in whole pounds, like 150"
    assert check_answer(question, 1000100) == "Your savings must be £10,000 or less"
    assert check_answer(question, 1000000) is None


@given(st.integers(min_value=0, max_value=10**12))
def test_money_shown_is_read_back_as_the_same_pence(pence):
    assert parse_pence(pounds(pence)) == pence


def number(**extra) -> Question:
    return Question(id="depth", type="number", label="How deep?",
                    extra={"error_name": "the depth", **extra})  # fmt: skip


def test_a_number_can_have_a_unit_and_a_rule_on_decimals():
    whole = number(decimals=0, unit="cm")
    assert check_answer(whole, 2.5) == "The depth must be a whole number"
    assert check_answer(whole, 3) is None
    assert display_answer(whole, 3) == "3 cm"
    two = number(decimals=2)
    assert check_answer(two, 2.555) == "The depth must have 2 decimal places or fewer"
    assert check_answer(two, 2.55) is None
