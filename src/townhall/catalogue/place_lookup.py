"""The places app's answers to the form engine's `PlaceLookup`.

Registered by `CatalogueConfig.ready()`. `catalogue` sits above `places`
(see the import contracts), so this module may import it; the engine itself
only sees the protocol.
"""

from __future__ import annotations

from townhall.catalogue.engine.places import AreaFound, PlaceFound, PlaceNotFound
from townhall.places.lookup import areas_at, organisation_covers
from townhall.places.models import Postcode
from townhall.places.postcodes import PostcodeNotFound, postcode_find, postcode_normalise


class PlacesLookup:
    """Postcodes from the ONS Postcode Directory, areas from the imported boundaries.
    Where no postcodes are imported, a postcode is taken as a description."""

    def postcode(self, text: str) -> PlaceFound | None:
        # Without a directory (none imported) a postcode is the resident's words.
        if postcode_normalise(text) is None or not Postcode.objects.exists():
            return None
        try:
            found = postcode_find(text)
        except PostcodeNotFound as error:
            raise PlaceNotFound(str(error)) from error
        return PlaceFound(
            postcode=found.postcode,
            lon=found.lon,
            lat=found.lat,
            areas=self.areas(found.lon, found.lat),
        )

    def areas(self, lon: float, lat: float) -> tuple[AreaFound, ...]:
        return tuple(
            AreaFound(type=area.type, code=area.code, name=area.name) for area in areas_at(lon, lat)
        )

    def covers(self, organisation_id: int, lon: float, lat: float) -> bool:
        return organisation_covers(organisation_id, lon, lat)
