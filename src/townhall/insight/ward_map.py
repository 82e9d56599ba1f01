"""A map of case density by ward, drawn on the server as SVG paths from the
wards' boundaries, so it needs no JavaScript, tiles or internet. The table
of cases by ward beside it carries the same figures for screen readers."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import shapely
from shapely.geometry.base import BaseGeometry

from townhall.places.models import Area, AreaType

WIDTH = 1000.0
# Light to dark: GOV.UK blue tints, each with enough contrast from the next.
SHADES = ["#d2e2f1", "#a5c6e3", "#5694ca", "#1d70b8", "#003078"]


@dataclass(frozen=True)
class WardShape:
    code: str
    name: str
    cases: int
    path: str
    shade: str


@dataclass(frozen=True)
class WardMap:
    width: float
    height: float
    wards: list[WardShape]
    legend: list[tuple[str, int, int]]  # shade, from, to


def _rings(geometry: BaseGeometry) -> list[list[tuple[float, float]]]:
    polygons = getattr(geometry, "geoms", [geometry])
    rings = []
    for polygon in polygons:
        if polygon.geom_type != "Polygon":
            continue
        rings.append(list(polygon.exterior.coords))
        rings.extend(list(interior.coords) for interior in polygon.interiors)
    return rings


def ward_map(counts: Mapping[str, int]) -> WardMap | None:
    """The map of the wards in `counts` (ward code -> cases) that have a
    boundary, or None when none has."""
    shapes: list[tuple[Area, BaseGeometry]] = []
    for area in Area.objects.filter(type=AreaType.WARD, code__in=list(counts)):
        try:
            geometry = shapely.from_geojson(area.geometry)
        except shapely.errors.GEOSException:
            continue
        if geometry.is_empty or geometry.geom_type not in {"Polygon", "MultiPolygon"}:
            continue
        shapes.append((area, geometry))
    if not shapes:
        return None
    west = min(g.bounds[0] for _a, g in shapes)
    south = min(g.bounds[1] for _a, g in shapes)
    east = max(g.bounds[2] for _a, g in shapes)
    north = max(g.bounds[3] for _a, g in shapes)
    # Equirectangular, squeezed by the cosine of the middle latitude: true
    # enough at the scale of one council.
    squeeze = math.cos(math.radians((north + south) / 2))
    span_x = max((east - west) * squeeze, 1e-9)
    scale = WIDTH / span_x
    height = max((north - south) * scale, 1.0)
    tolerance = 1.0 / scale  # drop detail finer than one SVG unit

    largest = max(counts.values()) or 1
    steps = [math.ceil(largest * (n + 1) / len(SHADES)) for n in range(len(SHADES))]

    def shade(cases: int) -> str:
        return SHADES[next(i for i, top in enumerate(steps) if cases <= top)]

    wards = []
    for area, geometry in sorted(shapes, key=lambda item: item[0].name):
        simple = geometry.simplify(tolerance, preserve_topology=True)
        parts = []
        for ring in _rings(simple):
            points = " ".join(
                f"{(lon - west) * squeeze * scale:.1f},{(north - lat) * scale:.1f}"
                for lon, lat in ring
            )
            parts.append(f"M{points}Z")
        cases = counts.get(area.code, 0)
        wards.append(WardShape(area.code, area.name, cases, " ".join(parts), shade(cases)))
    low = 0
    legend = []
    for colour, top in zip(SHADES, steps, strict=True):
        if top >= low:
            legend.append((colour, low, top))
        low = top + 1
    return WardMap(WIDTH, round(height, 1), wards, legend)
