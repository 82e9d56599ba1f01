"""An exclusive checkbox ("None of these") cannot be chosen with another option."""

from __future__ import annotations

from typing import Any

import pytest

from townhall.catalogue.engine.definition import DefinitionError, parse_definition
from townhall.catalogue.engine.questions import check_answer
from townhall.catalogue.factories import definition_data, page_data, question_data

OPTIONS: list[dict[str, Any]] = [
    {"value": "pip", "label": "Personal Independence Payment"},
    {"value": "dla", "label": "Disability Living Allowance"},
    {"value": "none", "label": "None of these", "exclusive": True},
]


def benefits(**extra):
    data = definition_data(
        page_data(
            "benefits",
            question_data("benefits", "checkboxes", "Do you get any of these?", options=OPTIONS,
                          error_name="the benefits you get", **extra),
        )
    )  # fmt: skip
    return parse_definition(data).question("benefits")


def test_none_of_these_and_a_benefit_together_are_refused():
    question = benefits()
    assert check_answer(question, ["pip", "none"]) == (
        "Select the benefits you get, or select \u2018None of these\u2019, not both"
    )
    assert check_answer(question, ["none"]) is None
    assert check_answer(question, ["pip", "dla"]) is None


def test_the_message_for_no_answer_offers_none_of_these():
    assert check_answer(benefits(), []) == (
        "Select the benefits you get, or select \u2018None of these\u2019"
    )
    own = benefits(required_message="Tell us which benefits you get")
    assert check_answer(own, []) == "Tell us which benefits you get"


@pytest.mark.parametrize(
    ("kind", "options", "problem"),
    [
        ("radios", OPTIONS, "only checkboxes have an exclusive option"),
        ("checkboxes", [OPTIONS[2], OPTIONS[0]], "the exclusive option must be the last"),
        ("checkboxes", [OPTIONS[0], OPTIONS[2], {**OPTIONS[2], "value": "no"}],
         "only one option can be exclusive"),
    ],
)  # fmt: skip
def test_an_exclusive_option_is_one_last_checkbox(kind, options, problem):
    data = definition_data(page_data("p", question_data("q", kind, "Which?", options=options)))
    with pytest.raises(DefinitionError) as refused:
        parse_definition(data)
    assert any(problem in p for p in refused.value.problems)
