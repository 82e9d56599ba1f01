"""Conditions: strict evaluation over a context, the checks made on import
(each naming its path), the words staff read, and the operator registry."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any
from unittest import mock

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from townhall.catalogue.engine.conditions import (
    ConditionContext,
    Equals,
    condition_holds,
    condition_problems,
    condition_schema,
    condition_words,
    register_operator,
    registered_operators,
)
from townhall.catalogue.engine.conditions.registry import IDENTIFIER, IDENTIFIER_MAX_LENGTH
from townhall.catalogue.engine.definition import DefinitionError, parse_definition
from townhall.catalogue.engine.flow import route, summary, validate_answers
from townhall.catalogue.engine.validation import SCHEMA_PATH
from townhall.catalogue.factories import (
    definition_data,
    options_data,
    page_data,
    question_data,
)
from townhall.catalogue.tests.operators import InTestArea, StartsWith, registered

QUESTIONS = [
    question_data("name", "text", "Your name"),
    question_data("pet", "yes_no", "Do you have a pet?"),
    question_data(
        "problem", "radios", "What is the problem?", options=options_data("pothole", "street_light")
    ),
    question_data("extras", "checkboxes", "Anything else", options=options_data("a", "b")),
    question_data("depth", "number", "How deep is it?"),
    question_data("seen", "date", "When did you see it?"),
    question_data("photo", "file", "A photo"),
]
TESTS = "all, answered, any, contains, equals, greater_than, in, in_area, less_than, not"
DATE_OPERAND = "must be a number, a date written like 2026-04-01, or today"


def definition_with(condition: Any) -> dict[str, Any]:
    """Every kind of question, then a page shown when `condition` holds."""
    return definition_data(
        page_data("about", *copy.deepcopy(QUESTIONS)),
        page_data("more", question_data("more", "textarea", "Tell us more"), when=condition),
    )


def problems_with(condition: Any) -> list[str]:
    try:
        parse_definition(definition_with(condition))
    except DefinitionError as error:
        return error.problems
    return []


# ---- strict evaluation --------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "answers", "holds"),
    [
        ({"question": "q", "equals": True}, {"q": 1}, False),
        ({"question": "q", "equals": 1}, {"q": True}, False),
        ({"question": "q", "equals": False}, {"q": 0}, False),
        ({"question": "q", "equals": True}, {"q": True}, True),
        ({"question": "q", "equals": 1}, {"q": 1.0}, True),
        ({"question": "q", "equals": "1"}, {"q": 1}, False),
        ({"question": "q", "in": [1, 2]}, {"q": True}, False),
        ({"question": "q", "in": [0]}, {"q": False}, False),
        ({"question": "q", "in": ["a", 2]}, {"q": 2}, True),
        ({"question": "q", "contains": "a"}, {"q": "a"}, False),
        ({"question": "q", "contains": "a"}, {"q": ["b", "a"]}, True),
        ({"question": "q", "greater_than": 0}, {"q": True}, False),
        ({"question": "q", "less_than": 2}, {"q": False}, False),
        ({"question": "q", "greater_than": 5}, {"q": "10"}, False),
        ({"question": "q", "greater_than": 5}, {"q": 10}, True),
        ({"question": "q", "greater_than": 5}, {}, False),
        ({"question": "q", "less_than": 5}, {}, False),
        ({"question": "q", "less_than": 5}, {"q": None}, False),
        ({"question": "q", "less_than": 5}, {"q": ""}, False),
        ({"question": "q", "less_than": "today"}, {}, False),
        ({"question": "q", "greater_than": "2026-01-01"}, {"q": 20260102}, False),
        ({"question": "q", "greater_than": 5}, {"q": "2026-01-01"}, False),
        ({"question": "q", "greater_than": "2026-01-01"}, {"q": "2026-01-02"}, True),
        ({"question": "q", "answered": True}, {"q": False}, True),
        ({"question": "q", "answered": True}, {"q": 0}, True),
        ({"question": "q", "answered": True}, {"q": []}, False),
    ],
)
def test_comparisons_are_strict(condition, answers, holds):
    assert condition_holds(condition, answers) is holds


def test_dates_compare_with_today_from_the_context():
    context = ConditionContext(today=dt.date(2026, 4, 1))
    before = {"question": "seen", "less_than": "today"}
    after = {"question": "seen", "greater_than": "today"}
    assert condition_holds(before, {"seen": "2026-03-31"}, context)
    assert not condition_holds(before, {"seen": "2026-04-01"}, context)
    assert condition_holds(after, {"seen": "2026-04-02"}, context)
    assert not condition_holds(after, {"seen": "2026-04-01"}, context)


def test_without_a_context_today_is_the_local_date():
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 4, 1)):
        assert ConditionContext().today == dt.date(2026, 4, 1)
        assert condition_holds({"question": "seen", "less_than": "today"}, {"seen": "2026-03-31"})


def test_the_answers_given_are_the_ones_tested_whatever_the_context_holds():
    context = ConditionContext(answers={"q": "a"})
    assert condition_holds({"question": "q", "equals": "b"}, {"q": "b"}, context)


def test_a_context_has_no_council_and_no_areas_unless_given_them():
    context = ConditionContext()
    assert context.organisation is None
    assert context.areas_containing("SW1A 2AA") == frozenset()


def test_the_route_uses_the_context_it_is_given():
    definition = parse_definition(
        definition_data(
            page_data("seen", question_data("seen", "date", "When did you see it?")),
            page_data(
                "late",
                question_data("why", "textarea", "Why did you wait?"),
                when={"question": "seen", "less_than": "today"},
            ),
        )
    )
    answers = {"seen": "2026-03-31"}
    on_the_day = ConditionContext(today=dt.date(2026, 3, 31))
    next_day = ConditionContext(today=dt.date(2026, 4, 1))
    assert [p.id for p in route(definition, answers, context=on_the_day)] == ["seen"]
    assert [p.id for p in route(definition, answers, context=next_day)] == ["seen", "late"]
    assert validate_answers(definition, answers, context=on_the_day) == {}
    assert "why" in validate_answers(definition, answers, context=next_day)
    assert [row.question.id for row in summary(definition, answers, context=next_day)] == [
        "seen",
        "why",
    ]


# ---- checks on import --------------------------------------------------------------


@pytest.mark.parametrize(
    "condition",
    [
        {"question": "seen", "greater_than": "today"},
        {"question": "seen", "less_than": "2026-04-01"},
        {"question": "seen", "equals": "2026-04-01"},
        {"question": "depth", "greater_than": 2.5},
        {"question": "depth", "in": [1, 2]},
        {"question": "photo", "answered": True},
        {"question": "pet", "equals": False},
        {"question": "name", "in": ["a", "b"]},
        {"question": "problem", "in": ["pothole"]},
        {"question": "extras", "contains": "a"},
        {
            "all": [
                {"question": "name", "answered": True},
                {"not": {"question": "pet", "equals": True}},
            ]
        },
    ],
)
def test_conditions_that_fit_their_question_are_accepted(condition):
    assert problems_with(condition) == []


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (
            {"question": "name", "greater_than": 3},
            "pages[1].when.greater_than: 'name' is a question of type text: "
            "greater_than compares only number and date questions",
        ),
        (
            {"question": "depth", "greater_than": "today"},
            "pages[1].when.greater_than: 'depth' is a number question: compare it with a number",
        ),
        (
            {"question": "seen", "less_than": 5},
            "pages[1].when.less_than: 'seen' is a date question: "
            "compare it with a date written like 2026-04-01, or today",
        ),
        (
            {"question": "seen", "less_than": "2026-02-30"},
            f"pages[1].when.less_than: {DATE_OPERAND}",
        ),
        (
            {"question": "depth", "greater_than": "lots"},
            f"pages[1].when.greater_than: {DATE_OPERAND}",
        ),
        (
            {"question": "depth", "greater_than": True},
            f"pages[1].when.greater_than: {DATE_OPERAND}",
        ),
        (
            {"question": "problem", "in": "pothole"},
            "pages[1].when.in: must be a list of one or more values",
        ),
        (
            {"question": "problem", "in": []},
            "pages[1].when.in: must be a list of one or more values",
        ),
        ({"question": "name", "in": ["a", True]}, "pages[1].when.in[1]: must be text or a number"),
        (
            {"question": "problem", "in": ["pothole", "potholes"]},
            "pages[1].when.in[1]: 'potholes' is not an option of 'problem'",
        ),
        (
            {"question": "problem", "equals": 3},
            "pages[1].when.equals: 'problem' is a question of type radios: "
            "compare it with an option",
        ),
        (
            {"question": "problem", "equals": "Pothole"},
            "pages[1].when.equals: 'Pothole' is not an option of 'problem'",
        ),
        (
            {"question": "pet", "equals": 1},
            "pages[1].when.equals: 'pet' is a question of type yes_no: "
            "compare it with true or false",
        ),
        (
            {"question": "depth", "equals": True},
            "pages[1].when.equals: 'depth' is a number question: compare it with a number",
        ),
        (
            {"question": "name", "equals": 3},
            "pages[1].when.equals: 'name' is a question of type text: compare it with text",
        ),
        (
            {"question": "seen", "equals": "1 April"},
            "pages[1].when.equals: 'seen' is a date question: "
            "compare it with a date written like 2026-04-01",
        ),
        (
            {"question": "pet", "in": ["yes"]},
            "pages[1].when.in: 'pet' is a question of type yes_no: test it with equals",
        ),
        (
            {"question": "problem", "contains": "pothole"},
            "pages[1].when.contains: 'problem' is a question of type radios: "
            "contains tests checkboxes",
        ),
        (
            {"question": "extras", "contains": "c"},
            "pages[1].when.contains: 'c' is not an option of 'extras'",
        ),
        (
            {"question": "extras", "equals": "a"},
            "pages[1].when.equals: 'extras' is a checkboxes question: test it with contains",
        ),
        (
            {"question": "photo", "equals": "x"},
            "pages[1].when.equals: 'photo' is a question of type file: test it only with answered",
        ),
        ({"question": "name", "answered": "yes"}, "pages[1].when.answered: must be true or false"),
        (
            {"question": "name", "equals": "x", "in": ["x"]},
            "pages[1].when: has more than one test (equals, in): combine tests with all or any",
        ),
        (
            {"question": "name", "resembles": "x"},
            f"pages[1].when: 'resembles' is not a condition test (they are: {TESTS})",
        ),
        ({"question": "name"}, f"pages[1].when: needs a test (one of: {TESTS})"),
        ({"equals": "x"}, "pages[1].when: equals needs a question to test"),
        ({"all": []}, "pages[1].when.all: must be a list of one or more conditions"),
        (
            {"all": [{"question": "name", "answered": True}], "question": "name"},
            "pages[1].when.question: all joins conditions and does not take a question",
        ),
        (
            {"any": [{"question": "name", "answered": True}, {"question": "depth", "in": 3}]},
            "pages[1].when.any[1].in: must be a list of one or more values",
        ),
        (
            {"not": {"question": "depth", "less_than": "today"}},
            "pages[1].when.not.less_than: 'depth' is a number question: compare it with a number",
        ),
        (
            {"question": "Name", "answered": True},
            "pages[1].when.question: must be the id of a question",
        ),
        (
            "name",
            "pages[1].when: must be a condition, such as {question: colour, equals: red}",
        ),
    ],
)
def test_a_condition_that_cannot_work_is_refused_at_its_path(condition, expected):
    assert problems_with(condition) == [expected]


def test_every_condition_in_a_definition_is_checked_at_once():
    """Shapes first, with the schema; then what each condition says of its question."""
    data = definition_with({"question": "depth", "greater_than": "deep"})
    data["pages"][0]["questions"][0]["when"] = {"question": "nobody", "answered": True}
    data["routing"] = {"rules": [{"when": {"question": "pet", "in": "yes"}, "team": "pets"}]}
    assert _problems(data) == [
        f"pages[1].when.greater_than: {DATE_OPERAND}",
        "routing.rules[0].when.in: must be a list of one or more values",
    ]
    data["pages"][1]["when"] = {"question": "depth", "greater_than": "today"}
    data["routing"]["rules"][0]["when"] = {"question": "pet", "equals": "yes"}
    assert _problems(data) == [
        "pages[0].questions[0].when.question: 'nobody' is not asked before this point",
        "pages[1].when.greater_than: 'depth' is a number question: compare it with a number",
        "routing.rules[0].when.equals: 'pet' is a question of type yes_no: "
        "compare it with true or false",
    ]


def _problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(data)
    return caught.value.problems


# ---- words for staff -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "words"),
    [
        ({"question": "problem", "equals": "pothole"}, "“What is the problem?” is “Pothole”"),
        ({"question": "pet", "equals": True}, "“Do you have a pet?” is yes"),
        ({"question": "pet", "equals": False}, "“Do you have a pet?” is no"),
        ({"question": "name", "equals": "Ann"}, "“Your name” is “Ann”"),
        ({"question": "depth", "equals": 2.0}, "“How deep is it?” is 2"),
        ({"question": "depth", "greater_than": 2.5}, "“How deep is it?” is more than 2.5"),
        ({"question": "depth", "less_than": 10}, "“How deep is it?” is less than 10"),
        (
            {"question": "seen", "greater_than": "2026-04-01"},
            "“When did you see it?” is after 1 April 2026",
        ),
        ({"question": "seen", "less_than": "today"}, "“When did you see it?” is before today"),
        ({"question": "seen", "equals": "2026-04-01"}, "“When did you see it?” is 1 April 2026"),
        (
            {"question": "problem", "in": ["pothole", "street_light"]},
            "“What is the problem?” is one of “Pothole”, “Street light”",
        ),
        ({"question": "extras", "contains": "a"}, "“Anything else” includes “A”"),
        ({"question": "photo", "answered": True}, "“A photo” is answered"),
        ({"question": "photo", "answered": False}, "“A photo” is not answered"),
        ({"question": "gone", "answered": True}, "gone is answered"),
        (
            {
                "all": [
                    {"question": "pet", "equals": True},
                    {
                        "any": [
                            {"question": "depth", "less_than": 1},
                            {"not": {"question": "name", "answered": True}},
                        ]
                    },
                ]
            },
            "“Do you have a pet?” is yes and (“How deep is it?” is less than 1 "
            "or not “Your name” is answered)",
        ),
        (
            {
                "not": {
                    "any": [
                        {"question": "pet", "equals": True},
                        {"question": "pet", "equals": False},
                    ]
                }
            },
            "not (“Do you have a pet?” is yes or “Do you have a pet?” is no)",
        ),
    ],
)
def test_conditions_in_words(condition, words):
    definition = parse_definition(definition_data(page_data("about", *copy.deepcopy(QUESTIONS))))
    questions = {question.id: question for _page, question in definition.questions()}
    assert condition_words(condition, questions) == words


# ---- the registry ---------------------------------------------------------------------


def test_an_operator_added_as_one_class_is_checked_evaluated_and_worded():
    before = condition_schema()
    with registered(StartsWith):
        assert "starts_with" in registered_operators()
        definition = parse_definition(definition_with({"question": "name", "starts_with": "A"}))
        more = definition.page("more")
        assert more is not None and more.when is not None
        assert [p.id for p in route(definition, {"name": "Alice"})] == ["about", "more"]
        assert [p.id for p in route(definition, {"name": "Bob"})] == ["about"]
        assert not condition_holds(more.when, {})
        questions = {question.id: question for _page, question in definition.questions()}
        assert condition_words(more.when, questions) == "“Your name” starts with “A”"
        assert problems_with({"question": "name", "starts_with": ""}) == [
            "pages[1].when.starts_with: must be some text"
        ]
        assert problems_with({"question": "depth", "starts_with": "A"}) == [
            "pages[1].when.starts_with: 'depth' is not a text question"
        ]
        assert problems_with({"not": {"question": "later", "starts_with": "A"}}) == [
            "pages[1].when.not.question: 'later' is not asked before this point"
        ]
        assert condition_schema() != before
    assert "starts_with" not in registered_operators()
    assert condition_schema() == before
    assert problems_with({"question": "name", "starts_with": "A"}) == [
        f"pages[1].when: 'starts_with' is not a condition test (they are: {TESTS})"
    ]
    with pytest.raises(ValueError, match="unknown condition"):
        condition_holds({"question": "name", "starts_with": "A"}, {"name": "Alice"})


def test_an_operator_name_can_be_registered_only_once():
    class Twice(Equals):
        pass

    with pytest.raises(ValueError, match="already registered"):
        register_operator(Twice)
    assert type(registered_operators()["equals"]) is Equals


def test_a_place_operator_gets_the_areas_from_the_context():
    condition = {"question": "where", "in_test_area": "E05000001"}

    def areas(answer: Any) -> frozenset[str]:
        return frozenset({"E05000001"}) if answer == "SW1A 2AA" else frozenset()

    with registered(InTestArea):
        assert not condition_holds(condition, {"where": "SW1A 2AA"})  # no areas known
        context = ConditionContext(areas_containing=areas)
        assert condition_holds(condition, {"where": "SW1A 2AA"}, context)
        assert not condition_holds(condition, {"where": "EH1 1YZ"}, context)
        assert not condition_holds(condition, {}, context)


# ---- the schema and the operators agree ------------------------------------------------


def test_the_schema_file_describes_the_registered_operators():
    on_file = json.loads(SCHEMA_PATH.read_text())["$defs"]
    assert on_file["condition"] == condition_schema(), (
        "run `python -m townhall.catalogue.engine.conditions` to update the schema file"
    )
    assert on_file["identifier"] == {
        "type": "string",
        "pattern": IDENTIFIER.pattern,
        "maxLength": IDENTIFIER_MAX_LENGTH,
    }


def _condition_validator() -> jsonschema.protocols.Validator:
    defs = json.loads(SCHEMA_PATH.read_text())["$defs"]
    schema = {"$ref": "#/$defs/condition", "$defs": {**defs, "condition": condition_schema()}}
    return jsonschema.validators.validator_for({})(schema)


operands = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["", "x", "name", "Name", "today", "2026-04-01", "2026-02-30", "today\n"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.just("x"), children),
    max_leaves=4,
)
KEYS = ["question", "all", "any", "not", "equals", "in", "contains", "answered", "greater_than"]
shapes = st.recursive(
    st.dictionaries(st.sampled_from([*KEYS, "less_than", "resembles"]), operands, max_size=3),
    lambda children: st.dictionaries(
        st.sampled_from(KEYS), children | st.lists(children, max_size=2), max_size=2
    ),
    max_leaves=6,
)


@settings(max_examples=300, deadline=None)
@given(condition=shapes | operands)
def test_the_operators_refuse_in_words_whatever_the_schema_refuses(condition):
    """So an import never falls back on the schema's own message for a condition;
    the operators are stricter only about dates that do not exist."""
    schema_valid = _condition_validator().is_valid(condition)
    problems = condition_problems(condition, where="when")
    if not schema_valid:
        assert problems
    else:
        assert all(problem.endswith(DATE_OPERAND) for problem in problems)
