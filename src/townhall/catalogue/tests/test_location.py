"""The `location` question type: a postcode found and confirmed, a description,
and answers stored as plain text before places existed. The engine reads no
database: these tests give it a lookup of their own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from townhall.catalogue.engine.definition import Question
from townhall.catalogue.engine.inputs import AnswerError, AnswerPending, parse_input
from townhall.catalogue.engine.places import (
    NO_PLACES,
    AreaFound,
    PlaceFound,
    PlaceNotFound,
    place_lookup_set,
)
from townhall.catalogue.engine.questions import check_answer, display_answer, export_value

WESTVALE = (
    AreaFound("county", "E10900001", "Exampleshire"),
    AreaFound("district", "E07900001", "Westvale"),
    AreaFound("waste-round", "R1", "Monday round"),
    AreaFound("ward", "E05900001", "Westvale South West"),
)
FOUND = {
    "text": "zx1 1aa",
    "found_by": "postcode",
    "postcode": "ZX1 1AA",
    "point": {"lon": -1.76, "lat": 52.03},
    "areas": [{"type": a.type, "code": a.code, "name": a.name} for a in WESTVALE],
}


class FakeDirectory:
    def postcode(self, text: str) -> PlaceFound | None:
        compact = text.replace(" ", "").upper()
        if compact == "ZX11AA":
            return PlaceFound("ZX1 1AA", -1.76, 52.03, WESTVALE)
        if compact == "ZX11DA":
            raise PlaceNotFound("The postcode ZX1 1DA is no longer in use.")
        if compact in {"ZX19ZZ", "SW1A2AA"}:
            raise PlaceNotFound(f"We cannot find the postcode {text}.")
        return None

    def areas(self, lon: float, lat: float) -> tuple[AreaFound, ...]:
        return WESTVALE


@pytest.fixture(autouse=True)
def directory() -> Iterator[None]:
    previous = place_lookup_set(FakeDirectory())
    yield
    place_lookup_set(previous)


def where(**extra) -> Question:
    return Question(id="where", type="location", label="Where is it?", **extra)


def parse(question: Question, **data: str):
    return parse_input(question, data, {})


def test_a_postcode_found_is_shown_for_confirmation_before_it_is_accepted():
    with pytest.raises(AnswerPending) as pending:
        parse(where(), where="zx1 1aa")
    assert str(pending.value) == "ZX1 1AA, in Westvale South West, Westvale, Exampleshire"
    assert parse(where(), **{"where": "zx1 1aa", "where-confirmed": "ZX1 1AA"}) == FOUND


def test_confirming_one_postcode_does_not_accept_another():
    with pytest.raises(AnswerPending):
        parse(where(), **{"where": "ZX1 1AA", "where-confirmed": "ZX2 1AE"})


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("ZX1 1DA", "The postcode ZX1 1DA is no longer in use."),
        ("ZX1 9ZZ", "We cannot find the postcode ZX1 9ZZ."),
        ("ZX1 1A", "Enter a real postcode, like SW1A 2AA"),
        ("OX44", "Enter a real postcode, like SW1A 2AA"),
    ],
)
def test_a_postcode_that_cannot_be_used_says_why(typed, message):
    with pytest.raises(AnswerError) as refused:
        parse(where(), where=typed)
    assert not isinstance(refused.value, AnswerPending)
    assert str(refused.value) == message


def test_a_description_is_kept_as_the_residents_words_without_a_point():
    answer = parse(where(), where="Behind the shops on Castle Street")
    assert answer == {"text": "Behind the shops on Castle Street", "found_by": "description"}
    assert check_answer(where(), answer) is None
    assert display_answer(where(), answer) == "Behind the shops on Castle Street"
    assert export_value(where(), answer) == {
        "text": "Behind the shops on Castle Street",
        "found_by": "description",
        "areas": [],
    }


def test_a_description_too_short_to_find_is_refused():
    answer = parse(where(), where="A")
    assert check_answer(where(), answer) == (
        "Describe the place in more detail (10 characters or more), or enter its postcode"
    )
    assert check_answer(where(min_length=1), answer) is None


def test_an_author_may_require_a_place_that_was_found():
    strict = where(extra={"point_required": True})
    described = parse(strict, where="Behind the shops on Castle Street")
    assert check_answer(strict, described) == "Enter the postcode of the place"
    assert check_answer(strict, FOUND) is None
    own = where(extra={"point_required": True, "point_required_message": "We need a postcode"})
    assert check_answer(own, described) == "We need a postcode"


def test_a_found_place_is_shown_with_its_areas_and_exported_for_open311():
    assert display_answer(where(), FOUND) == (
        "zx1 1aa, in Westvale South West, Westvale, Exampleshire"
    )
    assert export_value(where(), FOUND) == {
        "text": "zx1 1aa",
        "found_by": "postcode",
        "lat": 52.03,
        "long": -1.76,
        "areas": ["E10900001", "E07900001", "R1", "E05900001"],
    }


def test_answers_stored_as_plain_text_still_check_display_and_export():
    old = "Behind the shops on Castle Street, OX1 1AA"
    assert check_answer(where(), old) is None
    assert display_answer(where(), old) == old
    assert export_value(where(), old) == old
    assert check_answer(where(), "x" * 501) == "The answer must be 500 characters or fewer"


@pytest.mark.parametrize(
    "broken",
    [
        {"found_by": "description"},
        {"text": "Castle Street, Westvale", "found_by": "telepathy"},
        {"text": "ZX1 1AA", "found_by": "postcode", "point": {"lon": "west", "lat": 52}},
        {"text": "ZX1 1AA", "found_by": "postcode", "point": {"lon": 500, "lat": 52}},
        {"text": "ZX1 1AA", "found_by": "postcode", "point": None, "areas": ["E05900001"]},
        42,
    ],
)
def test_a_stored_answer_of_the_wrong_shape_is_refused(broken):
    assert check_answer(where(), broken) == "The answer must be a place"


def test_without_a_postcode_directory_a_postcode_is_the_residents_words():
    place_lookup_set(NO_PLACES)
    answer = parse(where(), where="SW1A 2AA")
    assert answer == {"text": "SW1A 2AA", "found_by": "description"}
    assert check_answer(where(), answer) is None  # short, but a postcode says where


def test_the_words_given_with_a_found_place_must_still_fit():
    long_words = {**FOUND, "text": "x" * 501}
    assert check_answer(where(), long_words) == "The answer must be 500 characters or fewer"
