"""A small, made-up two-tier place for the demo, generated here so it needs no download.

Exampleshire (a county) holds two districts, Westvale and Eastvale, each of
four wards, laid out as rectangles in the English Midlands. North of it lies
Northmoor, a neighbouring district no demo council serves, so the demo can
show a place outside its councils' areas. Their codes look like GSS codes
but use the unused 9xxxxx range; the postcodes use the outward codes ZX1,
ZX2 and ZX3, which no real postcode has.
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
# The neighbour: a district outside Exampleshire, with no council of the demo's.
NEIGHBOUR = ("E07900003", "Northmoor", WEST, 52.30, "ZX3")
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
        "neighbour": [
            _feature("LAD", NEIGHBOUR[0], NEIGHBOUR[1], _rectangle(WEST, NORTH, EAST, NEIGHBOUR[3]))
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
    code, name, _west, north, out = NEIGHBOUR
    lines.append(f"{out} 1AA,{north - 0.05},{(WEST + EAST) / 2},,,{code},")
    postcodes.append(DemoPostcode(f"{out} 1AA", "", name))
    lines.append("ZX9 9ZZ,99.999999,0.000000,,,,")  # ONSPD's row with no location
    return "\n".join(lines) + "\n", postcodes


def demo_place_load(
    *, organisation: Organisation, districts: dict[str, Organisation] | None = None
) -> list[DemoPostcode]:
    """Import the demo's areas and postcodes; idempotent.

    The county belongs to `organisation`; each district and its wards to the
    council `districts` gives for its name (else to `organisation` too). The
    neighbour, Northmoor, belongs to no council."""
    districts = districts or {}
    owner = {code: districts.get(name, organisation) for code, name, *_rest in DISTRICTS}
    for area_type, features in demo_feature_collections().items():
        if area_type == "neighbour":
            _import(AreaType.DISTRICT, features, None)
        elif area_type == AreaType.COUNTY:
            _import(area_type, features, organisation)
        else:
            for code, council in owner.items():
                mine = [f for f in features if _district_of(f) == code]
                _import(area_type, mine, council)
    text, postcodes = demo_postcodes()
    postcodes_import(lines=io.StringIO(text))
    return postcodes


def _district_of(feature: dict[str, Any]) -> str:
    """The district code of a district or ward feature of the demo."""
    properties = feature["properties"]
    if "LAD25CD" in properties:
        return str(properties["LAD25CD"])
    ward = properties["WD25CD"]
    return next(d for d, code, *_rest in demo_wards() if code == ward)


def _import(area_type: str, features: list[dict[str, Any]], council: Organisation | None) -> None:
    fields = geojson.fields_detect(features, area_type=area_type)
    areas_import(
        area_type=area_type,
        records=geojson.features_read(features, fields=fields),
        organisation=council,
    )
