"""The councils' boundaries as one small GeoJSON document, for the maps.

The maps of location questions and of public reports draw them so that a
resident can find their way even where no map tiles are configured. The
shapes are simplified (to about 20 metres) and their coordinates rounded, so
a district and its wards weigh tens of kilobytes, not megabytes. The document
is kept in Django's cache under the number of `AreaSetVersion`, so an import
in any process makes every process build it afresh.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import shapely
from django.core.cache import cache

from townhall.places.models import Area, AreaSetVersion, AreaType
from townhall.tenancy.models import Organisation

# Council areas and wards orient a resident; parishes and custom areas
# (waste rounds) would clutter the map.
DRAWN_TYPES = (
    AreaType.COUNTY,
    AreaType.UNITARY,
    AreaType.METROPOLITAN_DISTRICT,
    AreaType.LONDON_BOROUGH,
    AreaType.DISTRICT,
    AreaType.WARD,
)
TOLERANCE_DEGREES = 0.0002  # about 20 m north to south, 14 m east to west in Britain
DECIMALS = 5  # about a metre
CACHE_SECONDS = 24 * 60 * 60


def _rounded(coordinates: Any) -> Any:
    if isinstance(coordinates, list | tuple) and coordinates and isinstance(coordinates[0], float):
        return [round(value, DECIMALS) for value in coordinates]
    return [_rounded(part) for part in coordinates]


def simplified(geometry: str) -> dict[str, Any]:
    """A GeoJSON geometry (text) simplified and rounded, keeping its topology valid."""
    shape = shapely.from_geojson(geometry)
    small = shapely.simplify(shape, TOLERANCE_DEGREES, preserve_topology=True)
    document = json.loads(shapely.to_geojson(small))
    document["coordinates"] = _rounded(document["coordinates"])
    return document


def boundaries_document(organisations: Iterable[Organisation], *, welsh: bool = False) -> str:
    """The boundaries of the councils' areas and wards, as GeoJSON text: one
    feature per area with its type, code and name (Welsh where asked and known),
    the largest areas first so that wards are drawn over them."""
    ids = sorted({organisation.pk for organisation in organisations})
    version = AreaSetVersion.objects.filter(pk=1).values_list("number", flat=True).first() or 0
    key = f"places:boundaries:{version}:{'cy' if welsh else 'en'}:{','.join(map(str, ids))}"
    found = cache.get(key)
    if found is not None:
        return str(found)
    areas = Area.objects.filter(organisation_id__in=ids, type__in=DRAWN_TYPES)
    rank: dict[str, int] = {str(t): index for index, t in enumerate(DRAWN_TYPES)}
    features = [
        {
            "type": "Feature",
            "properties": {
                "type": area.type,
                "code": area.code,
                "name": (area.name_cy if welsh and area.name_cy else area.name),
            },
            "geometry": simplified(area.geometry),
        }
        for area in sorted(areas, key=lambda a: (rank[a.type], a.code))
    ]
    text = json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))
    cache.set(key, text, CACHE_SECONDS)
    return text
