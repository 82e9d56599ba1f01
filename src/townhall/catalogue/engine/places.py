"""The engine's window on places: a lookup the domain provides.

The form engine reads no database, yet a `location` answer needs a postcode
looked up and the areas of a point. So the engine names what it needs, a
`PlaceLookup`, and whoever knows places registers one when Django starts
(`catalogue.place_lookup`, from `CatalogueConfig.ready()`). Until then, and
in the pure engine's tests, `NO_PLACES` knows no postcode and no area: a
location is then taken as the resident's words alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class AreaFound:
    """An area a point lies in: its type (`ward`), code (`E05000001`) and name."""

    type: str
    code: str
    name: str


@dataclass(frozen=True)
class PlaceFound:
    """Where a postcode is: its written form, its point and the areas there."""

    postcode: str
    lon: float
    lat: float
    areas: tuple[AreaFound, ...]


class PlaceNotFound(Exception):
    """A postcode that cannot be used; the message is for the resident."""


class PlaceLookup(Protocol):
    def postcode(self, text: str) -> PlaceFound | None:
        """The place of a postcode; None if `text` is not shaped like one.
        Raises PlaceNotFound for an unknown or terminated postcode."""

    def areas(self, lon: float, lat: float) -> tuple[AreaFound, ...]:
        """Every area containing the point."""

    def covers(self, organisation_id: int, lon: float, lat: float) -> bool:
        """Whether the point lies in the council's areas (True where the
        council has none to check against)."""


class _NoPlaces:
    def postcode(self, text: str) -> PlaceFound | None:
        return None

    def areas(self, lon: float, lat: float) -> tuple[AreaFound, ...]:
        return ()

    def covers(self, organisation_id: int, lon: float, lat: float) -> bool:
        return True


NO_PLACES: PlaceLookup = _NoPlaces()
_current: list[PlaceLookup] = [NO_PLACES]


def place_lookup_set(lookup: PlaceLookup) -> PlaceLookup:
    """Use `lookup` from now on; returns the one it replaces (for tests)."""
    previous = _current[0]
    _current[0] = lookup
    return previous


def place_lookup() -> PlaceLookup:
    """The lookup in use."""
    return _current[0]
