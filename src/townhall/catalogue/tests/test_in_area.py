"""The `in_area` condition: a location answer lies in one of the named areas."""

from __future__ import annotations

from typing import Any

import pytest

from townhall.catalogue.engine.conditions import ConditionContext, condition_holds, condition_words
from townhall.catalogue.engine.definition import DefinitionError, parse_definition
from townhall.catalogue.factories import definition_data, page_data, question_data

WESTVALE_WARD = "E05900001"
ANSWER = {"text": "ZX1 1AA", "found_by": "postcode", "point": {"lon": -1.76, "lat": 52.03}}


def definition_with(condition: Any) -> dict[str, Any]:
    return definition_data(
        page_data(
            "about",
            question_data("where", "location", "Where is it?"),
            question_data("name", "text", "Your name"),
        ),
        page_data("more", question_data("more", "textarea", "Tell us more"), when=condition),
    )


def problems_with(condition: Any) -> list[str]:
    try:
        parse_definition(definition_with(condition))
    except DefinitionError as error:
        return error.problems
    return []


def areas(answer: Any) -> frozenset[str]:
    return frozenset({WESTVALE_WARD, "E07900001"}) if answer == ANSWER else frozenset()


@pytest.mark.parametrize(
    "operand", [WESTVALE_WARD, [WESTVALE_WARD], ["E07900002", "E07900001"], "waste-round-1"]
)
def test_an_area_code_or_a_list_of_codes_is_accepted(operand):
    assert problems_with({"question": "where", "in_area": operand}) == []


@pytest.mark.parametrize(
    ("operand", "problem"),
    [
        ([], "pages[1].when.in_area: must be an area's code or a list of one or more codes"),
        (7, "pages[1].when.in_area: must be an area's code or a list of one or more codes"),
        ("", "pages[1].when.in_area: must be an area's code or a list of one or more codes"),
        (
            [WESTVALE_WARD, 7],
            "pages[1].when.in_area[1]: must be an area's code (at most 20 characters)",
        ),
        ("E" * 21, "pages[1].when.in_area: must be an area's code or a list of one or more codes"),
    ],
)
def test_an_operand_of_the_wrong_shape_is_refused_at_its_path(operand, problem):
    assert problems_with({"question": "where", "in_area": operand}) == [problem]


def test_only_a_location_question_can_be_tested_for_its_area():
    assert problems_with({"question": "name", "in_area": WESTVALE_WARD}) == [
        "pages[1].when.in_area: 'name' is a question of type text: in_area tests a location"
    ]


def test_it_holds_when_the_place_hook_puts_the_answer_in_a_named_area():
    context = ConditionContext(areas_containing=areas)
    holds = lambda operand, answers: condition_holds(  # noqa: E731
        {"question": "where", "in_area": operand}, answers, context
    )
    assert holds(WESTVALE_WARD, {"where": ANSWER})
    assert holds(["E07900002", "E07900001"], {"where": ANSWER})
    assert not holds("E07900002", {"where": ANSWER})
    assert not holds(WESTVALE_WARD, {"where": "Behind the shops on Castle Street"})
    assert not holds(WESTVALE_WARD, {"where": ""})
    assert not holds(WESTVALE_WARD, {})


def test_without_a_place_hook_no_answer_is_in_any_area():
    assert not condition_holds({"question": "where", "in_area": WESTVALE_WARD}, {"where": ANSWER})


def test_staff_read_it_in_words():
    definition = parse_definition(definition_with({"question": "where", "answered": True}))
    questions = {question.id: question for _page, question in definition.questions()}
    one = {"question": "where", "in_area": WESTVALE_WARD}
    two = {"question": "where", "in_area": ["E07900001", "E07900002"]}
    assert condition_words(one, questions) == "“Where is it?” is in the area “E05900001”"
    assert condition_words(two, questions) == (
        "“Where is it?” is in one of the areas “E07900001”, “E07900002”"
    )
