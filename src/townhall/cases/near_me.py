"""Open cases near a place, nearest first: what a field officer looks for.

A case's place is its first location answer with a point (`Case.lon`,
`Case.lat`, set when it is made). The database narrows the council's open
cases to a box around the place (the partial index `case_open_place`), orders
that box by an approximate (flat-earth) distance and returns the first few;
the exact distance is then worked out for each (`cases.public`, as the
residents' "nearby reports" do)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import ExpressionWrapper, F, FloatField, Value

from townhall.cases.models import Case
from townhall.cases.public import METRES_PER_DEGREE, bounding_box, distance_metres
from townhall.cases.queues import DEFERRED
from townhall.tenancy.models import Organisation

RADII = (250, 500, 1000, 2000, 5000)  # the distances staff choose from, in metres
DEFAULT_RADIUS = 1000
LIMIT = 50


@dataclass(frozen=True)
class NearbyCase:
    case: Case
    metres: int


def _metres_per_degree_of_longitude(lat: float) -> float:
    return METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01)


def cases_near(
    *,
    organisation: Organisation,
    lon: float,
    lat: float,
    radius: int = DEFAULT_RADIUS,
    limit: int = LIMIT,
) -> list[NearbyCase]:
    """The council's open cases within `radius` metres of (lon, lat), nearest
    first, at most `limit` of them. Two queries (the cases, their versions)."""
    min_lon, min_lat, max_lon, max_lat = bounding_box(lon, lat, radius)
    # Squared distance in metres, scaled on each axis: a sort key only.
    kx, ky = _metres_per_degree_of_longitude(lat), METRES_PER_DEGREE
    dx = ExpressionWrapper((F("lon") - Value(lon)) * Value(kx), output_field=FloatField())
    dy = ExpressionWrapper((F("lat") - Value(lat)) * Value(ky), output_field=FloatField())
    cases = (
        Case.objects.for_organisation(organisation)
        .open()
        .filter(
            lat__isnull=False,
            lat__range=(min_lat, max_lat),
            lon__range=(min_lon, max_lon),
        )
        .annotate(nearness=dx * dx + dy * dy)
        .order_by("nearness", "pk")
        .select_related("service", "team", "assignee")
        .prefetch_related("service_version")
        .defer(*DEFERRED)[:limit]
    )
    # Ordered by distance, so those beyond the radius (the box's corners) come last.
    found = [
        NearbyCase(case=case, metres=round(distance_metres(lon, lat, *_point(case))))
        for case in cases
    ]
    return [near for near in found if near.metres <= radius]


def _point(case: Case) -> tuple[float, float]:
    return float(case.lon or 0.0), float(case.lat or 0.0)
