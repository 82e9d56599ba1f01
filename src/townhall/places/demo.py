"""A small, made-up two-tier place for the demo, generated here so it needs no download.

Exampleshire (a county) holds two districts, Westvale and Eastvale, each of
four wards, laid out as rectangles in the English Midlands. Their codes look
like GSS codes but use the unused 9xxxxx range; the postcodes use the outward
codes ZX1 and ZX2, which no real postcode has.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from townhall.places import geojson
from townhall.places.models import AreaType
from townhall.places.postcodes import postcodes_import
from townhall.places.services import areas_import
from townhall.tenancy.models import Organisation

WEST, MIDDLE, EAST = -1.80, -1.60, -1.40
SOUTH, CENTRE, NORTH = 52.00, 52.10, 52.20

COUNTY = ("E10900001", "Exampleshire")
DISTRICTS = [
    ("E07900001", "Westvale", WEST, MIDDLE, "ZX1"),
    ("E07900002", "Eastvale", MIDDLE, EAST, "ZX2"),
]
WARD_PARTS = [
    ("South West", 0, 0),
    ("South East", 1, 0),
    ("North West", 0, 1),
    ("North East", 1, 1),
]


@dataclass(frozen=True)
class DemoPostcode:
    postcode: str
    ward: str
    district: str
    terminated: bool = False


def _rectangle(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def _feature(prefix: str, code: str, name: str, geometry: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {f"{prefix}25CD": code, f"{prefix}25NM": name},
        "geometry": geometry,
    }


def demo_wards() -> list[tuple[str, str, str, tuple[float, float, float, float]]]:
    """(district code, ward code, ward name, (west, south, east, north)) for every ward."""
    wards = []
    for d, (district_code, district_name, west, east, _outward) in enumerate(DISTRICTS):
        half = (east - west) / 2
        for w, (part, col, row) in enumerate(WARD_PARTS):
            box = (
                round(west + col * half, 6),
                (SOUTH, CENTRE)[row],
                round(west + (col + 1) * half, 6),
                (CENTRE, NORTH)[row],
            )
            wards.append(
                (district_code, f"E0590{d:02d}{w + 1:02d}", f"{district_name} {part}", box)
            )
    return wards


def demo_feature_collections() -> dict[str, list[dict[str, Any]]]:
    """The demo's features by area type, as ONS would publish them."""
    return {
        AreaType.COUNTY: [
            _feature("CTY", *COUNTY, _rectangle(WEST, SOUTH, EAST, NORTH)),
        ],
        AreaType.DISTRICT: [
            _feature("LAD", code, name, _rectangle(west, SOUTH, east, NORTH))
            for code, name, west, east, _outward in DISTRICTS
        ],
        AreaType.WARD: [
            _feature("WD", code, name, _rectangle(*box)) for _d, code, name, box in demo_wards()
        ],
    }


def demo_postcodes() -> tuple[str, list[DemoPostcode]]:
    """The demo's postcodes as an ONSPD-style CSV, and what each one is."""
    lines = ["pcds,lat,long,doterm,cty25cd,lad25cd,wd25cd"]
    postcodes: list[DemoPostcode] = []
    names = {code: name for code, name, *_rest in DISTRICTS}
    outward = {code: out for code, _name, _w, _e, out in DISTRICTS}
    for number, (district, ward, ward_name, (west, south, east, north)) in enumerate(demo_wards()):
        for i in range(4):
            lon = round(west + (east - west) * (0.2 + 0.2 * i), 6)
            lat = round(south + (north - south) * (0.3 + 0.1 * i), 6)
            code = f"{outward[district]} {number % 4 + 1}{'ABCD'[i]}{'ABCDEFGH'[number]}"
            terminated = i == 3 and number % 4 == 0
            doterm = "202001" if terminated else ""
            lines.append(f"{code},{lat},{lon},{doterm},{COUNTY[0]},{district},{ward}")
            postcodes.append(DemoPostcode(code, ward_name, names[district], terminated))
    lines.append("ZX9 9ZZ,99.999999,0.000000,,,,")  # ONSPD's row with no location
    return "\n".join(lines) + "\n", postcodes


def demo_place_load(*, organisation: Organisation) -> list[DemoPostcode]:
    """Import the demo's areas (all belonging to `organisation`) and postcodes; idempotent."""
    for area_type, features in demo_feature_collections().items():
        fields = geojson.fields_detect(features, area_type=area_type)
        areas_import(
            area_type=area_type,
            records=geojson.features_read(features, fields=fields),
            organisation=organisation,
        )
    text, postcodes = demo_postcodes()
    postcodes_import(lines=io.StringIO(text))
    return postcodes
