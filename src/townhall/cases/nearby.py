"""Open cases near a place, nearest first: what a field officer looks for.

A case's place is its first location answer with a point (`Case.location_lon`,
`location_lat`, set when it is made). The database narrows the council's open
cases to a box around the place (an index on latitude), orders that box by an
approximate distance and returns the first few; the exact distance is then
worked out for each. At the scale of a council, a flat approximation of the
earth is well within a few metres."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import ExpressionWrapper, F, FloatField, Value

from townhall.cases.models import Case
from townhall.cases.queues import DEFERRED
from townhall.tenancy.models import Organisation

METRES_PER_DEGREE = 111_320.0  # of latitude, and of longitude at the equator
RADII = (250, 500, 1000, 2000, 5000)  # the distances staff choose from, in metres
DEFAULT_RADIUS = 1000
LIMIT = 50


@dataclass(frozen=True)
class NearbyCase:
    case: Case
    metres: int


def _metres_per_degree_of_longitude(lat: float) -> float:
    return METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01)


def distance_metres(lon: float, lat: float, other_lon: float, other_lat: float) -> float:
    """The distance between two nearby points (equirectangular approximation)."""
    x = (other_lon - lon) * _metres_per_degree_of_longitude((lat + other_lat) / 2)
    y = (other_lat - lat) * METRES_PER_DEGREE
    return math.hypot(x, y)


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
    dlat = radius / METRES_PER_DEGREE
    dlon = radius / _metres_per_degree_of_longitude(lat)
    # Squared distance in metres, scaled on each axis: a sort key only.
    kx, ky = _metres_per_degree_of_longitude(lat), METRES_PER_DEGREE
    dx = ExpressionWrapper((F("location_lon") - Value(lon)) * Value(kx), output_field=FloatField())
    dy = ExpressionWrapper((F("location_lat") - Value(lat)) * Value(ky), output_field=FloatField())
    cases = (
        Case.objects.for_organisation(organisation)
        .open()
        .filter(
            location_lat__isnull=False,
            location_lat__range=(lat - dlat, lat + dlat),
            location_lon__range=(lon - dlon, lon + dlon),
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
    return float(case.location_lon or 0.0), float(case.location_lat or 0.0)
