"""Properties of the form engine that must hold for every input, not just examples."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from typing import Any
from unittest import mock

import pytest
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from townhall.catalogue.engine.conditions import condition_holds
from townhall.catalogue.engine.definition import Option, Question, parse_definition
from townhall.catalogue.engine.flow import relevant_answers, route, validate_answers
from townhall.catalogue.engine.inputs import AnswerError, parse_input
from townhall.catalogue.engine.questions import check_answer, display_answer, is_empty
from townhall.catalogue.engine.types.address import ADDRESS_PARTS
from townhall.catalogue.engine.types.file import FILE_SIGNATURES
from townhall.catalogue.engine.types.location import FOUND_BY
from townhall.catalogue.factories import (
    branching_definition,
    options_data,
    page_data,
    question_data,
)

PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Tests run once per question type take fewer examples each, to keep the suite quick.
PER_TYPE = settings(PROPERTY, max_examples=50)
TODAY = dt.date(2026, 3, 27)
FILE_TYPES = [*FILE_SIGNATURES, "image/webp"]
# What the definitions documentation promises, written independently of the engine.
POSTCODE = r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}"
PHONE = r"(\+44|0044|0)[0-9]{9,10}"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=8,
)
option_values = st.from_regex(r"[a-z0-9_-]{1,6}", fullmatch=True)


@pytest.fixture(autouse=True)
def _today():
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        yield


# ---- questions and values to try ---------------------------------------------------


@st.composite
def limits(draw, low_values, high_values):
    low, high = draw(st.none() | low_values), draw(st.none() | high_values)
    if low is not None and high is not None and low > high:
        low, high = high, low
    return low, high


@st.composite
def question_and_value(draw, kind: str) -> tuple[Question, Any]:
    """A question of `kind` with drawn rules, and a value (plausible or not) for it."""
    extra: dict[str, Any] = {}
    plausible: st.SearchStrategy[Any]
    if kind in {"text", "textarea", "location", "name"}:
        low, high = draw(limits(st.integers(0, 30), st.integers(1, 30)))
        extra.update(min_length=low, max_length=high)
        plausible = st.text(max_size=40) | st.text(max_size=600)
    elif kind == "email":
        plausible = st.emails() | st.text(max_size=30)
    elif kind == "postcode":
        plausible = st.from_regex(POSTCODE + r"\s?", fullmatch=True) | st.text(max_size=10)
    elif kind == "phone":
        plausible = st.from_regex(r"(\+44|0044|0)[0-9]{7,12}\s?", fullmatch=True)
    elif kind == "number":
        numbers = st.integers(-1000, 1000) | st.floats(-1e6, 1e6)
        low, high = draw(limits(numbers, numbers))
        extra.update(min=low, max=high)
        plausible = st.integers() | st.floats() | st.booleans()
    elif kind == "date":
        extra["date"] = draw(st.sampled_from(["past", "future", "any"]))
        plausible = st.dates().map(dt.date.isoformat) | st.text(max_size=12)
    elif kind in {"radios", "select", "checkboxes"}:
        values = draw(st.lists(option_values, min_size=1, max_size=4, unique=True))
        extra["options"] = tuple(Option(v, v.title()) for v in values)
        one = st.sampled_from(values) | option_values
        plausible = st.lists(one, max_size=5) if kind == "checkboxes" else one
    elif kind in {"yes_no", "declaration"}:
        plausible = st.booleans()
    elif kind == "file":
        extra.update(
            accept=tuple(draw(st.lists(st.sampled_from(FILE_TYPES), unique=True))),
            max_size_mb=draw(st.floats(0.001, 50)),
            max_files=draw(st.integers(1, 10)),
        )
        record = st.fixed_dictionaries(
            {
                "id": st.uuids().map(str),
                "name": st.text(max_size=10),
                "size": st.integers(0, 60 * 1024 * 1024),
                "type": st.sampled_from([*FILE_TYPES, "text/plain"]),
            }
        )
        plausible = st.lists(record | json_values, max_size=11)
    elif kind == "address":
        line = st.text(max_size=20) | st.text(min_size=199, max_size=201)
        plausible = st.fixed_dictionaries(
            dict.fromkeys(ADDRESS_PARTS[:3], line)
            | {"postcode": st.from_regex(POSTCODE, fullmatch=True) | st.text(max_size=9)}
        )
    else:
        raise AssertionError(f"no strategy for {kind}")
    question = Question(
        id="answer", type=kind, label="The answer", required=draw(st.booleans()), **extra
    )
    return question, draw(plausible | json_values)


def assert_respects_definition(question: Question, value: Any) -> None:
    """The answer keeps every rule `question` states (written from the documentation)."""
    if is_empty(value):
        assert not question.required
        return
    kind = question.type
    if kind == "location" and isinstance(value, dict):
        assert value["found_by"] in FOUND_BY
        assert isinstance(value["text"], str)
        assert len(value["text"]) <= (question.max_length or 500)
        if value.get("point") is not None:
            return  # a place found: its words need only fit
        value = value["text"]
    if kind in {"text", "textarea", "location", "name"}:
        assert isinstance(value, str)
        assert len(value) <= (question.max_length or (5000 if kind == "textarea" else 500))
        assert len(value) >= (question.min_length or 0)
    elif kind == "email":
        assert isinstance(value, str)
        assert len(value) <= 254
        local, _at, domain = value.rpartition("@")
        assert local and "." in domain and value == value.strip()
    elif kind == "postcode":
        assert isinstance(value, str) and re.fullmatch(POSTCODE, value)
    elif kind == "phone":
        assert isinstance(value, str) and re.fullmatch(PHONE, value)
    elif kind == "number":
        assert isinstance(value, int | float) and not isinstance(value, bool)
        assert math.isfinite(value)
        assert question.min is None or value >= question.min
        assert question.max is None or value <= question.max
    elif kind == "date":
        day = dt.date.fromisoformat(value)
        assert question.date != "past" or day <= TODAY
        assert question.date != "future" or day >= TODAY
    elif kind in {"radios", "select"}:
        assert value in [o.value for o in question.options]
    elif kind == "checkboxes":
        assert isinstance(value, list)
        assert all(v in [o.value for o in question.options] for v in value)
        assert len(set(value)) == len(value)
    elif kind == "yes_no":
        assert isinstance(value, bool)
    elif kind == "declaration":
        assert value is True
    elif kind == "file":
        assert isinstance(value, list) and len(value) <= question.max_files
        for record in value:
            assert record["type"] in (question.accept or FILE_TYPES)
            assert record["size"] <= question.max_size_mb * 1024 * 1024
    elif kind == "address":
        assert set(value) == set(ADDRESS_PARTS)
        assert all(isinstance(part, str) and len(part) <= 200 for part in value.values())
        assert value["line1"] and value["town"]
        assert re.fullmatch(POSTCODE, value["postcode"])


CHECKED_KINDS = [
    "text", "textarea", "location", "name", "email", "postcode", "phone", "number", "date",
    "radios", "select", "checkboxes", "yes_no", "declaration", "file", "address",
]  # fmt: skip


@pytest.mark.parametrize("kind", CHECKED_KINDS)
@PER_TYPE
@given(data=st.data())
def test_the_engine_never_accepts_an_answer_its_definition_forbids(kind, data):
    question, value = data.draw(question_and_value(kind))
    message = check_answer(question, value)
    if message is None:
        assert_respects_definition(question, value)
        assert isinstance(display_answer(question, value), str)
    else:
        assert isinstance(message, str) and message


# ---- parsing whatever a browser (or anyone) sends ----------------------------------------


MEMBERS = (
    Question(id="first", type="text", label="First name"),
    Question(id="born", type="date", label="Date of birth", required=False),
    Question(id="pets", type="number", label="Pets", required=False, min=0),
)
PARSED_KINDS = [
    "text", "textarea", "location", "name", "email", "postcode", "phone", "number", "date",
    "radios", "select", "checkboxes", "yes_no", "declaration", "file", "address", "group",
]  # fmt: skip
MEMBER_FIELDS = [
    f"-{i}-{m}" for i in range(3) for m in ("first", "born-day", "born-month", "born-year", "pets")
]
FIELDS = {
    "date": ["-day", "-month", "-year"],
    "address": [f"-{part}" for part in ADDRESS_PARTS],
    "group": ["-items", *MEMBER_FIELDS],
}
form_text = (
    st.text(max_size=30)
    | st.from_regex(r"-?[0-9]{1,25}", fullmatch=True)
    | st.sampled_from(["", " ", "yes", "no", "a", "b", "0", "3", " 12 ", "1e999", "NaN"])
)


def question_of(kind: str) -> Question:
    extra: dict[str, Any] = {}
    if kind in {"radios", "select", "checkboxes"}:
        extra["options"] = (Option("a", "A"), Option("b", "B"))
    if kind == "group":
        extra.update(questions=MEMBERS, item_label="person", max_items=3)
    return Question(id="answer", type=kind, label="The answer", **extra)


@pytest.mark.parametrize("kind", PARSED_KINDS)
@PER_TYPE
@given(data=st.data())
def test_parse_input_refuses_bad_form_input_only_with_an_answer_error(kind, data):
    question = question_of(kind)
    suffixes = FIELDS.get(kind, [""])
    fields = data.draw(
        st.fixed_dictionaries({}, optional={s: st.lists(form_text, max_size=2) for s in suffixes})
    )
    form = MultiValueDict({f"answer{suffix}": values for suffix, values in fields.items()})
    refusal: str | None
    try:
        value = parse_input(question, form, MultiValueDict())
    except AnswerError as error:
        refusal = str(error)
    else:
        refusal = None
        # Whatever is accepted can be stored as JSON, checked, and shown back.
        json.dumps(value, allow_nan=False)
        if check_answer(question, value) is None:
            assert isinstance(display_answer(question, value), str)
    assert refusal is None or refusal.strip()


@PROPERTY
@given(day=st.dates(min_value=dt.date(1000, 1, 1)), pad=st.sampled_from(["", "0", " "]))
def test_every_real_date_typed_in_is_stored_as_itself(day, pad):
    question = Question(id="d", type="date", label="Date")
    fields = {"d-day": f"{pad}{day.day}", "d-month": f"{pad}{day.month}", "d-year": str(day.year)}
    stored = parse_input(question, fields, {})
    assert stored == day.isoformat()
    assert check_answer(question, stored) is None


@PROPERTY
@given(
    postcode=st.from_regex(r"([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})", fullmatch=True),
    spaces=st.from_regex(r"\s{0,3}", fullmatch=True),
    lower=st.booleans(),
)
def test_every_postcode_is_stored_one_way(postcode, spaces, lower):
    question = Question(id="p", type="postcode", label="Postcode")
    outward, inward = postcode[:-3], postcode[-3:]
    typed = f"{outward}{spaces}{inward}"
    stored = parse_input(question, {"p": typed.lower() if lower else typed}, {})
    assert stored == f"{outward} {inward}"
    assert check_answer(question, stored) is None
    assert parse_input(question, {"p": stored}, {}) == stored


@PROPERTY
@given(number=st.integers(-(10**12), 10**12))
def test_whole_numbers_with_thousands_separators_are_read_exactly(number):
    question = Question(id="n", type="number", label="Amount")
    assert parse_input(question, {"n": f"{number:,}"}, {}) == number


# ---- conditions ----------------------------------------------------------------------


QUESTION_IDS = ["a", "b", "c", "d", "e"]
# What each question is in the definition the conditions are checked against
# (see _renamed): a choice, a number, text, checkboxes and a date.
CHOICES = ["pothole", "street_light", "other"]
DATES = ["2026-03-26", "2026-03-27", "2026-03-28"]  # around TODAY
answer_values = (
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.floats(-5, 5, allow_nan=False)
    | st.sampled_from(["", "x", "y", *CHOICES, *DATES])
    | st.lists(st.sampled_from(["x", "y", *CHOICES]), max_size=2)
)
answer_sets = st.dictionaries(st.sampled_from(QUESTION_IDS), answer_values)


def _tests(**operands: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    answered = st.builds(lambda v: {"answered": v}, st.booleans())
    return st.one_of(
        answered, *(st.fixed_dictionaries({key: value}) for key, value in operands.items())
    )


def _operands() -> dict[str, st.SearchStrategy[dict[str, Any]]]:
    choice, number = st.sampled_from(CHOICES), st.integers(-5, 5)
    text, date = st.sampled_from(["x", "y"]), st.sampled_from(DATES)

    def one_or_more(values: st.SearchStrategy[Any]) -> dict[str, Any]:
        return {"in": st.lists(values, min_size=1, max_size=3)}

    return {
        "a": _tests(equals=choice, **one_or_more(choice)),
        "b": _tests(equals=number, greater_than=number, less_than=number, **one_or_more(number)),
        "c": _tests(equals=text, **one_or_more(text)),
        "d": _tests(contains=choice),
        "e": _tests(equals=date, greater_than=date | st.just("today"), less_than=date),
    }


tests_of = _operands()
leaf_conditions = st.sampled_from(QUESTION_IDS).flatmap(
    lambda question: tests_of[question].map(lambda test: {"question": question, **test})
)
conditions = st.recursive(
    leaf_conditions,
    lambda children: (
        st.builds(lambda c: {"not": c}, children)
        | st.builds(lambda cs: {"all": cs}, st.lists(children, min_size=1, max_size=3))
        | st.builds(lambda cs: {"any": cs}, st.lists(children, min_size=1, max_size=3))
    ),
    max_leaves=6,
)


@PROPERTY
@given(condition=conditions, answers=answer_sets)
def test_not_inverts_a_condition(condition, answers):
    assert condition_holds({"not": condition}, answers) is (not condition_holds(condition, answers))


@PROPERTY
@given(parts=st.lists(conditions, min_size=1, max_size=4), answers=answer_sets)
def test_all_and_any_are_boolean_and_and_or(parts, answers):
    results = [condition_holds(part, answers) for part in parts]
    assert condition_holds({"all": parts}, answers) is all(results)
    assert condition_holds({"any": parts}, answers) is any(results)


@PROPERTY
@given(answers=answer_sets)
def test_no_condition_always_holds(answers):
    assert condition_holds(None, answers) is True


@PROPERTY
@given(question=st.sampled_from(QUESTION_IDS), answers=answer_sets)
def test_answered_is_true_exactly_when_there_is_an_answer(question, answers):
    answered = not is_empty(answers.get(question))
    assert condition_holds({"question": question, "answered": True}, answers) is answered
    assert condition_holds({"question": question, "answered": False}, answers) is not answered


@PROPERTY
@given(question=st.sampled_from(QUESTION_IDS), limit=st.integers(-5, 5), answers=answer_sets)
def test_comparisons_hold_only_for_numbers(question, limit, answers):
    value = answers.get(question)
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    assert condition_holds({"question": question, "greater_than": limit}, answers) is (
        is_number and value > limit
    )
    assert condition_holds({"question": question, "less_than": limit}, answers) is (
        is_number and value < limit
    )


@PROPERTY
@given(condition=conditions)
def test_generated_conditions_are_ones_a_definition_may_contain(condition):
    """So the properties above are about conditions councils can actually write."""
    data = branching_definition()
    extras = page_data(
        "extras",
        question_data("extras", "checkboxes", "Anything else", options=options_data(*CHOICES)),
        question_data("seen", "date", "When did you see it"),
    )
    data["pages"].insert(-1, extras)
    data["pages"][-1]["when"] = _renamed(condition)
    parse_definition(data)


def _renamed(condition: dict[str, Any]) -> dict[str, Any]:
    names = {"a": "problem", "b": "depth", "c": "column", "d": "extras", "e": "seen"}
    if "question" in condition:
        return {**condition, "question": names[condition["question"]]}
    key = next(iter(condition))
    inner = condition[key]
    return {key: _renamed(inner) if key == "not" else [_renamed(part) for part in inner]}


# ---- routes ----------------------------------------------------------------------------


STREET = parse_definition(branching_definition())
street_answers = st.fixed_dictionaries(
    {},
    optional={
        "problem": st.sampled_from(["pothole", "street_light", "other", ""]),
        "depth": st.integers(-5, 200),
        "column": st.text(max_size=12),
        "state": st.sampled_from(["off", "flicker", "on"]),
        "how_often": st.text(max_size=5),
        "details": st.text(max_size=5),
        "email": st.emails() | st.just(""),
        "unasked": json_values,
    },
)


@PROPERTY
@given(answers=street_answers)
def test_relevant_answers_are_a_stable_subset_on_the_route(answers):
    relevant = relevant_answers(STREET, answers)
    assert relevant.items() <= answers.items()
    assert relevant_answers(STREET, relevant) == relevant
    assert route(STREET, relevant) == route(STREET, answers)
    asked = {q.id for page in route(STREET, answers) for q in page.questions}
    assert set(relevant) <= asked


@PROPERTY
@given(answers=street_answers)
def test_answers_off_the_route_never_change_the_verdict(answers):
    assert validate_answers(STREET, answers) == validate_answers(
        STREET, relevant_answers(STREET, answers)
    )
