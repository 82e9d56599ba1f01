"""Who handles a service at a place: the routing table, read and checked.

A row of the table (`RoutingRule`) says that in one area a service, named by
its slug or by its LGSL code, is one council's (and one team's). At a point,
the row on the most specific area wins (a ward's row over a district's, a
district's over a county's); with no row, the council that owns the most
specific area at the point and offers the service answers. The catalogue
says which councils offer a service (`offering`): this app does not read
services, so that the imports keep pointing one way.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

import shapely
from django.db.models import Q
from shapely.geometry.base import BaseGeometry

from townhall.places.lookup import areas_at
from townhall.places.models import Area, AreaType, RoutingRule
from townhall.tenancy.models import Organisation, Team

# The types whose areas are a council's whole area: what a resident outside
# every covered area is told to contact, and what the coverage check walks.
COUNCIL_TYPES = (
    AreaType.UNITARY,
    AreaType.METROPOLITAN_DISTRICT,
    AreaType.LONDON_BOROUGH,
    AreaType.DISTRICT,
    AreaType.COUNTY,
)
_RANK: dict[str, int] = {
    AreaType.PARISH: 0,
    AreaType.WARD: 1,
    AreaType.UNITARY: 3,
    AreaType.METROPOLITAN_DISTRICT: 3,
    AreaType.LONDON_BOROUGH: 3,
    AreaType.DISTRICT: 3,
    AreaType.COUNTY: 4,
}
CUSTOM_RANK = 2  # a waste round or other custom area: smaller than a district


def specificity(area: Area) -> tuple[int, str, int]:
    """Sort key: the most specific area first (parish, ward, custom, district, county)."""
    return (_RANK.get(area.type, CUSTOM_RANK), area.code, area.pk)


@dataclass(frozen=True)
class Responsible:
    """Who handles a service at a place, and why: a row of the table or the area's council."""

    organisation: Organisation
    team: Team | None
    area: Area
    by_table: bool


def rules_for(*, slug: str, lgsl: int | None, areas: Iterable[Area]) -> list[RoutingRule]:
    """The table's rows for this service (by slug, or by its LGSL code) in `areas`."""
    areas = list(areas)
    if not areas:
        return []
    condition = Q(service_slug=slug)
    if lgsl is not None:
        condition |= Q(lgsl=lgsl)
    found = RoutingRule.objects.filter(condition, area__in=areas)
    return list(found.select_related("organisation", "team", "area").defer("area__geometry"))


def rules_at(areas: Iterable[Area]) -> list[RoutingRule]:
    """Every row of the table, for any service, in `areas`: read once for a whole list."""
    areas = list(areas)
    if not areas:
        return []
    found = RoutingRule.objects.filter(area__in=areas)
    return list(found.select_related("organisation", "team", "area").defer("area__geometry"))


def responsible_for(
    *,
    slug: str,
    lgsl: int | None,
    areas: list[Area],
    offering: Collection[int],
    rules: list[RoutingRule] | None = None,
) -> Responsible | None:
    """Who handles the service in the place that `areas` (every area at a point) describe.

    A row of the table on the most specific area wins; of two rows on one
    area, the one naming the slug beats the one naming the LGSL code. With no
    row, the council owning the most specific area that offers the service
    (`offering`: the ids of the councils that do). None: nobody. `rules`:
    the rows at these areas already read (`rules_at`), to read none here.
    """
    if rules is None:
        rules = rules_for(slug=slug, lgsl=lgsl, areas=areas)
    else:
        rules = [r for r in rules if r.service_slug == slug or (lgsl and r.lgsl == lgsl)]
    if rules:
        rule = min(rules, key=lambda r: (specificity(r.area), r.service_slug != slug))
        return Responsible(rule.organisation, rule.team, rule.area, by_table=True)
    for area in sorted(areas, key=specificity):
        if area.organisation_id is not None and area.organisation_id in offering:
            return Responsible(area.organisation, None, area, by_table=False)  # type: ignore[arg-type]
    return None


def responsible_at(
    *, lon: float, lat: float, slug: str, lgsl: int | None, offering: Collection[int]
) -> Responsible | None:
    """`responsible_for` at a point (longitude, latitude in WGS84)."""
    return responsible_for(slug=slug, lgsl=lgsl, areas=areas_at(lon, lat), offering=offering)


def council_area_of(areas: Iterable[Area]) -> Area | None:
    """The most specific council's area among `areas`: whom to contact about a place."""
    council = [a for a in areas if a.type in COUNCIL_TYPES]
    return min(council, key=specificity) if council else None


@dataclass(frozen=True)
class Gap:
    """A service that nobody handles in (part of) an area."""

    slug: str
    area: Area


@dataclass(frozen=True)
class ServiceCover:
    """A service to check: its slug, its LGSL code and the councils that offer it."""

    slug: str
    name: str
    lgsl: int | None
    offering: frozenset[int]


def _shape(area: Area, cache: dict[int, BaseGeometry]) -> BaseGeometry:
    if area.pk not in cache:
        cache[area.pk] = shapely.from_geojson(area.geometry)
    return cache[area.pk]


# A part of an area smaller than this share of it is taken as rounding in the
# boundary files, not a gap.
GAP_TOLERANCE = 1e-6


def routing_gaps(*, services: Iterable[ServiceCover], areas: Iterable[Area]) -> list[Gap]:
    """Each service and each of `areas` (councils' areas) where some part has nobody.

    A part is covered by a row of the table for the service, or by an area
    whose council offers it. Reads every row and area with a council once.
    """
    areas = sorted(areas, key=lambda a: (a.name, a.code))
    owned = list(Area.objects.exclude(organisation=None).only("pk", "organisation", "geometry"))
    rows = list(RoutingRule.objects.select_related("area"))
    shapes: dict[int, BaseGeometry] = {}
    gaps: list[Gap] = []
    for service in services:
        covering = [a for a in owned if a.organisation_id in service.offering]
        covering += [
            r.area
            for r in rows
            if r.service_slug == service.slug or (service.lgsl and r.lgsl == service.lgsl)
        ]
        cover = shapely.union_all([_shape(a, shapes) for a in covering]) if covering else None
        for area in areas:
            shape = _shape(area, shapes)
            left = shape if cover is None else shape.difference(cover)
            if left.area > shape.area * GAP_TOLERANCE:
                gaps.append(Gap(slug=service.slug, area=area))
    return gaps
