"""`location`: where something is. The resident types a postcode or
describes the place (a street, a landmark).

A postcode is looked up through the engine's `PlaceLookup` (the places app
provides it) and shown back for confirmation on the same page before it is
accepted: the page comes back, without an error, saying where the postcode
is, and Continue accepts it. A description is kept as the resident's words,
with no point. The answer is a mapping:

    {"text": "ZX1 2AB", "found_by": "postcode", "postcode": "ZX1 2AB",
     "point": {"lon": -1.2, "lat": 51.7},
     "areas": [{"type": "ward", "code": "E05000001", "name": "Westvale North"}]}

With JavaScript the page also shows a map (see docs/maps.md). Dropping or
dragging the pin, or "use my location", fills hidden fields the server reads
here: `<id>-found-by` (`map_pin` or `device`), `<id>-lon` and `<id>-lat`.
The map's postcode search sends `<id>-found-by=postcode` and `<id>-postcode`,
which is looked up again here, so the point is always the directory's. Words
typed beside the pin are kept as its text. However the point was found, it is
checked the same way: it must lie in the council's areas (`check_in`).

Answers stored before places existed are plain strings; they are still
read, checked and shown as descriptions.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from townhall.catalogue.engine.places import PlaceFound, PlaceNotFound, place_lookup
from townhall.catalogue.engine.types.base import AnswerError, AnswerPending, FormData, single
from townhall.catalogue.engine.types.postcode import is_postcode, normalise_postcode
from townhall.catalogue.engine.types.registry import register
from townhall.catalogue.engine.types.text import TEXT_PROPERTIES, TextType

if TYPE_CHECKING:
    from townhall.catalogue.engine.conditions import ConditionContext
    from townhall.catalogue.engine.definition import Question

FOUND_BY = ("postcode", "description", "map_pin", "address", "device")
PINNED = ("map_pin", "device")  # a point the browser sends: the map's pin, the device's location
POINT_DECIMALS = 6  # about 10 cm: more says nothing and only lengthens the answer
DEFAULT_MIN_LENGTH = 10
# Short, one word or two, letters and digits: someone trying to type a postcode.
POSTCODE_ATTEMPT = re.compile(r"^(?=.*[0-9])(?=.*[A-Za-z])[A-Za-z0-9]{2,4} ?[A-Za-z0-9]{0,4}$")
# Areas named in "ZX1 2AB, in Westvale North, Westvale, Exampleshire", smallest first.
SHOWN_TYPES = (
    "parish",
    "ward",
    "district",
    "unitary",
    "metropolitan-district",
    "london-borough",
    "county",
)


def confirm_field(question: Question) -> str:
    return f"{question.id}-confirmed"


def map_field(question: Question, name: str) -> str:
    """The hidden fields the map fills: found-by, lon, lat and postcode."""
    return f"{question.id}-{name}"


def _coordinate(text: str, limit: float) -> float | None:
    """A longitude or latitude in decimal degrees within ±limit, or None."""
    if not text or len(text) > 30:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    if not math.isfinite(value) or not -limit <= value <= limit:
        return None
    return round(value, POINT_DECIMALS)


def _point_words(lon: float, lat: float) -> str:
    """The text of a point given without words: its latitude and longitude."""
    return _("%(lat).5f, %(lon).5f (marked on the map)") % {"lat": lat, "lon": lon}


def answer_from_point(text: str, found_by: str, lon: float, lat: float) -> dict[str, Any]:
    """The answer for a point marked on the map or given by the device, with its areas."""
    areas = place_lookup().areas(lon, lat)
    return {
        "text": text or _point_words(lon, lat),
        "found_by": found_by,
        "point": {"lon": lon, "lat": lat},
        "areas": [{"type": a.type, "code": a.code, "name": a.name} for a in areas],
    }


def place_words(postcode: str, area_names: list[str]) -> str:
    """ "ZX1 2AB, in Westvale North, Westvale, Exampleshire", or the postcode alone."""
    if not area_names:
        return postcode
    return _("%(place)s, in %(areas)s") % {"place": postcode, "areas": ", ".join(area_names)}


def _shown_names(areas: list[Mapping[str, Any]]) -> list[str]:
    ranked = [a for a in areas if a.get("type") in SHOWN_TYPES]
    ranked.sort(key=lambda a: SHOWN_TYPES.index(a["type"]))
    return [str(a.get("name", "")) for a in ranked]


def place_names(place: PlaceFound) -> list[str]:
    """The names of the areas a place is in that a resident knows, smallest first."""
    return _shown_names([{"type": a.type, "name": a.name} for a in place.areas])


def answer_from_place(text: str, place: PlaceFound) -> dict[str, Any]:
    return {
        "text": text,
        "found_by": "postcode",
        "postcode": place.postcode,
        "point": {"lon": place.lon, "lat": place.lat},
        "areas": [{"type": a.type, "code": a.code, "name": a.name} for a in place.areas],
    }


def _postcode_shaped(text: str) -> bool:
    """A postcode nobody could look up (no directory here) still says where."""
    return is_postcode(normalise_postcode(text))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _shape_is_right(value: Mapping[str, Any]) -> bool:
    point = value.get("point")
    areas = value.get("areas", [])
    return (
        isinstance(value.get("text"), str)
        and value.get("found_by") in FOUND_BY
        and (
            point is None
            or (
                isinstance(point, Mapping)
                and _is_number(point.get("lon"))
                and _is_number(point.get("lat"))
                and -180 <= point["lon"] <= 180
                and -90 <= point["lat"] <= 90
            )
        )
        and isinstance(areas, list)
        and all(
            isinstance(a, Mapping) and all(isinstance(a.get(k), str) for k in ("type", "code"))
            for a in areas
        )
    )


@register
class LocationType(TextType):
    name = "location"
    is_place = True
    in_groups = False
    properties = {
        **TEXT_PROPERTIES,
        "point_required": {
            "type": "boolean",
            "description": "Refuse a description alone: the place must be found (a postcode).",
        },
    }
    internal_messages = frozenset({"not_text", "not_place"})
    messages = {
        **TextType.messages,
        "required": gettext_lazy("Enter a postcode or describe where it is"),
        "too_short": ngettext_lazy(
            "Describe the place in more detail (%(limit)d character or more), "
            "or enter its postcode",
            "Describe the place in more detail (%(limit)d characters or more), "
            "or enter its postcode",
            "limit",
        ),
        "malformed": gettext_lazy("Enter a real postcode, like SW1A 2AA"),
        "point_required": gettext_lazy("Enter the postcode of the place"),
        "not_place": gettext_lazy("The answer must be a place"),
        "unreadable_point": gettext_lazy(
            "Mark the place on the map again, or enter a postcode or describe where it is"
        ),
        "outside": gettext_lazy(
            "Choose a place inside the council's area, or describe where it is"
        ),
    }
    named_messages = {
        **TextType.named_messages,
        "required": gettext_lazy("Enter %(what)s"),
        "too_short": ngettext_lazy(
            "Describe %(what)s in more detail (%(limit)d character or more), or enter its postcode",
            "Describe %(what)s in more detail (%(limit)d characters or more), "
            "or enter its postcode",
            "limit",
        ),
    }

    def parse(self, question: Question, data: FormData, files: FormData) -> Any:
        text = single(data, question.id)
        found_by = single(data, map_field(question, "found-by"))
        if found_by in PINNED:
            return self._pinned(question, data, text, found_by)
        if found_by == "postcode" and (searched := single(data, map_field(question, "postcode"))):
            # Found with the map's search and seen on the map: no second confirmation.
            try:
                place = place_lookup().postcode(searched)
            except PlaceNotFound as error:
                raise AnswerError(str(error)) from error
            if place is not None:
                return answer_from_place(text or place.postcode, place)
        if not text:
            return ""
        try:
            place = place_lookup().postcode(text)
        except PlaceNotFound as error:
            raise AnswerError(str(error)) from error
        if place is None:
            if not _postcode_shaped(text) and POSTCODE_ATTEMPT.match(text):
                raise AnswerError(self.message(question, "malformed"))
            return {"text": text, "found_by": "description"}
        if single(data, confirm_field(question)).upper() != place.postcode:
            raise AnswerPending(place_words(place.postcode, self._names(place)))
        return answer_from_place(text, place)

    def _pinned(self, question: Question, data: FormData, text: str, found_by: str) -> Any:
        lon = _coordinate(single(data, map_field(question, "lon")), 180)
        lat = _coordinate(single(data, map_field(question, "lat")), 90)
        if lon is None or lat is None:
            raise AnswerError(self.message(question, "unreadable_point"))
        return answer_from_point(text, found_by, lon, lat)

    @staticmethod
    def _names(place: PlaceFound) -> list[str]:
        return place_names(place)

    def check(self, question: Question, value: Any) -> str | None:
        if isinstance(value, Mapping):
            if not _shape_is_right(value):
                return self.message(question, "not_place")
            if value.get("point") is not None:  # found: the words need only fit
                limit = question.max_length or self.default_max_length
                too_long = len(value["text"]) > limit
                return self.message(question, "too_long", limit=limit) if too_long else None
            value = value["text"]
        elif not isinstance(value, str):
            return self.message(question, "not_place")
        if question.setting("point_required"):
            return self.message(question, "point_required")
        if (problem := super().check(question, value)) is not None:
            return problem
        limit = question.min_length or DEFAULT_MIN_LENGTH
        if len(value) < limit and not _postcode_shaped(value):
            return self.message(question, "too_short", limit=limit)
        return None

    def check_in(
        self, question: Question, value: Any, context: ConditionContext | None
    ) -> str | None:
        """`check`, then: a point, however it was found, must be in the council's areas."""
        problem = self.check(question, value)
        if problem is not None or context is None or context.organisation is None:
            return problem
        point = value.get("point") if isinstance(value, Mapping) else None
        if point is not None and not place_lookup().covers(
            context.organisation.pk, point["lon"], point["lat"]
        ):
            return self.message(question, "outside")
        return None

    def display(self, question: Question, value: Any) -> str:
        if not isinstance(value, Mapping):
            return str(value)
        text = str(value.get("text", ""))
        if value.get("point") is None:
            return text
        return place_words(text, _shown_names(value.get("areas", [])))

    def export(self, question: Question, value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value
        point = value.get("point") or {}
        exported: dict[str, Any] = {
            "text": value.get("text", ""),
            "found_by": value.get("found_by", "description"),
        }
        if point:
            exported["lat"] = point.get("lat")
            exported["long"] = point.get("lon")
        exported["areas"] = [a.get("code") for a in value.get("areas", [])]
        return exported

    def redisplay(self, question: Question, answer: Any, raw: FormData) -> Any:
        if raw:
            return raw.get(question.id, "")
        if isinstance(answer, Mapping):
            point = answer.get("point")
            if (
                answer.get("found_by") in PINNED
                and isinstance(point, Mapping)
                and answer.get("text") == _point_words(point["lon"], point["lat"])
            ):
                return ""  # the resident typed nothing beside the pin
            return answer.get("text", "")
        return answer

    def widget(
        self, question: Question, answer: Any, raw: FormData, *, extra_items: int = 0
    ) -> dict[str, Any]:
        """`found`: the place to confirm, and `confirmed`: the postcode the
        hidden field carries, so Continue accepts the place shown; `pin`: the
        map's hidden fields (found_by, lon, lat, postcode) to put back."""
        if raw:
            pin = {
                name.replace("-", "_"): single(raw, map_field(question, name))[:30]
                for name in ("found-by", "lon", "lat", "postcode")
            }
            shown: dict[str, Any] = {"pin": pin} if pin["found_by"] else {}
            if pin["found_by"] in PINNED or (pin["found_by"] == "postcode" and pin["postcode"]):
                return shown
            try:
                place = place_lookup().postcode(single(raw, question.id))
            except PlaceNotFound:
                place = None
            if place is None:
                return shown
            return {
                "found": place_words(place.postcode, self._names(place)),
                "confirmed": place.postcode,
            }
        if not isinstance(answer, Mapping):
            return {}
        point = answer.get("point")
        pin = {}
        if isinstance(point, Mapping):
            pin = {
                "found_by": answer.get("found_by", ""),
                "lon": str(point.get("lon")),
                "lat": str(point.get("lat")),
                "postcode": answer.get("postcode", ""),
            }
        if answer.get("postcode"):
            return {"confirmed": answer["postcode"], "pin": pin}
        return {"pin": pin} if pin else {}
