"""The `location` question type: a postcode found and confirmed, a description,
and answers stored as plain text before places existed. The engine reads no
database: these tests give it a lookup of their own."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from townhall.catalogue.engine.conditions import ConditionContext
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


@dataclass(frozen=True)
class FakeCouncil:
    pk: int = 7
    name: str = "Example Council"


COUNCIL = FakeCouncil()


def in_council(answer):
    return check_answer(where(), answer, ConditionContext(organisation=COUNCIL))  # type: ignore[arg-type]


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

    def covers(self, organisation_id: int, lon: float, lat: float) -> bool:
        return organisation_id == COUNCIL.pk and lon < 0  # the council: west of Greenwich


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


# --- the map: a pin, the device's location, the map's postcode search ----------


def pinned(found_by: str = "map_pin", lon: str = "-1.76", lat: str = "52.03", **more: str):
    fields = {"where-found-by": found_by, "where-lon": lon, "where-lat": lat}
    return parse(where(), **{**fields, **more})


def test_a_pin_is_a_point_with_its_areas_and_needs_no_confirmation():
    answer = pinned()
    assert answer == {
        "text": "52.03000, -1.76000 (marked on the map)",
        "found_by": "map_pin",
        "point": {"lon": -1.76, "lat": 52.03},
        "areas": FOUND["areas"],
    }
    assert check_answer(where(), answer) is None
    assert in_council(answer) is None
    assert display_answer(where(), answer) == (
        "52.03000, -1.76000 (marked on the map), in Westvale South West, Westvale, Exampleshire"
    )
    assert export_value(where(), answer)["lat"] == 52.03


def test_words_typed_beside_the_pin_are_its_text_and_the_pin_wins_over_a_postcode_typed():
    answer = pinned(where="By the bus stop")
    assert answer["text"] == "By the bus stop"
    assert answer["point"] == {"lon": -1.76, "lat": 52.03}
    # Words that look like a postcode are the pin's words, not a second lookup to confirm.
    assert pinned(where="ZX1 1AA")["found_by"] == "map_pin"


def test_the_devices_location_is_recorded_as_such_and_rounded():
    answer = pinned("device", lon="-1.7612345678", lat="52.0312345678")
    assert answer["found_by"] == "device"
    assert answer["point"] == {"lon": -1.761235, "lat": 52.031235}


@pytest.mark.parametrize(
    ("lon", "lat"),
    [
        ("", "52.03"),
        ("-1.76", ""),
        ("west", "52.03"),
        ("nan", "52.03"),
        ("-1.76", "inf"),
        ("-181", "52.03"),
        ("-1.76", "90.5"),
        ("1" * 40, "52.03"),
        ("-1.76,52.03", "52.03"),
    ],
)
def test_a_pin_that_cannot_be_read_gets_a_clear_message(lon, lat):
    with pytest.raises(AnswerError) as refused:
        pinned(lon=lon, lat=lat)
    assert not isinstance(refused.value, AnswerPending)
    assert str(refused.value) == (
        "Mark the place on the map again, or enter a postcode or describe where it is"
    )


def test_an_unknown_way_of_finding_is_ignored_and_the_words_are_read_as_typed():
    answer = parse(where(), **{"where": "Behind the shops", "where-found-by": "telepathy"})
    assert answer == {"text": "Behind the shops", "found_by": "description"}


def test_a_postcode_found_with_the_maps_search_is_looked_up_again_not_trusted():
    answer = parse(
        where(),
        **{
            "where-found-by": "postcode",
            "where-postcode": "zx1 1aa",
            "where-lon": "0",
            "where-lat": "0",
        },
    )
    assert answer == {**FOUND, "text": "ZX1 1AA"}
    with pytest.raises(AnswerError) as refused:
        parse(where(), **{"where-found-by": "postcode", "where-postcode": "ZX1 1DA"})
    assert str(refused.value) == "The postcode ZX1 1DA is no longer in use."


def test_a_point_outside_the_councils_areas_is_refused_however_it_was_found():
    outside = pinned(lon="0.5", lat="52.03")
    assert check_answer(where(), outside) is None  # no council to check against
    assert (
        in_council(outside) == "Choose a place inside the council's area, or describe where it is"
    )
    typed = {**FOUND, "point": {"lon": 0.5, "lat": 52.03}}
    assert in_council(typed) == in_council(outside)
    assert in_council(FOUND) is None
    assert in_council({"text": "Behind the shops", "found_by": "description"}) is None


def test_the_widget_gives_the_map_the_pin_to_put_back():
    kind_widget = parse_widget(pinned(where="By the bus stop"))
    assert kind_widget["pin"] == {
        "found_by": "map_pin",
        "lon": "-1.76",
        "lat": "52.03",
        "postcode": "",
    }
    # Words typed beside it come back; words made up for a bare pin do not.
    assert redisplayed(pinned(where="By the bus stop")) == "By the bus stop"
    assert redisplayed(pinned()) == ""
    shown_again = parse_widget(None, raw={"where-found-by": "map_pin", "where-lon": "x"})
    assert shown_again["pin"]["lon"] == "x"
    assert "found" not in shown_again


def parse_widget(answer, raw=None):
    from townhall.catalogue.engine.types import question_type

    return question_type("location").widget(where(), answer, raw or {})


def redisplayed(answer):
    from townhall.catalogue.engine.types import question_type

    return question_type("location").redisplay(where(), answer, {})
