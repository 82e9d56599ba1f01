"""Open cases near a place, offered before a resident reports the same
problem again ("I have this problem too").

Only a public service (`public_on_map`) offers them, and only what anyone may
see is returned (`cases.public`): reference, public status, the date, a
chosen summary, the distance, and photos if the service publishes them.

The query reads the denormalised `Case.lat`/`Case.lon` through the partial
index `case_open_nearby` (service, lat, lon, open cases only): a bounding box
in SQL, then the exact distance in Python for the few rows in the box."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from townhall.cases.models import Attachment, Case
from townhall.cases.public import (
    IMAGE_TYPES,
    bounding_box,
    distance_metres,
    public_status,
    public_summary,
)
from townhall.catalogue.engine.definition import ServiceDefinition
from townhall.catalogue.models import Service, ServiceVersion

NEARBY_LIMIT = 10


@dataclass(frozen=True)
class NearbyCase:
    reference: str
    summary: str
    status: str
    opened: datetime
    distance_metres: int
    photo_ids: tuple[str, ...] = ()


def nearby_offered(definition: ServiceDefinition) -> bool:
    """Whether the service shows nearby cases at all: only a public one does."""
    return definition.public_on_map


def nearby_cases(
    *,
    service: Service,
    definition: ServiceDefinition,
    lon: float,
    lat: float,
    now: datetime | None = None,
    limit: int = NEARBY_LIMIT,
) -> list[NearbyCase]:
    """Open cases of `service` within the definition's radius of the point,
    opened within its window, nearest first. Empty for a private service.
    Three queries at most: the cases, older versions, their photos."""
    if not nearby_offered(definition):
        return []
    rows = nearby_rows(
        service_id=service.pk,
        lon=lon,
        lat=lat,
        metres=definition.nearby_radius_metres,
        since=(now or timezone.now()) - timedelta(days=definition.nearby_days),
        limit=limit,
    )
    if not rows:
        return []
    # Most cases are of the version the resident is answering: its definition
    # is at hand. Others (older versions) are read once each.
    versions = {service.published_version_id: definition}
    others = {c.service_version_id for c, _d in rows} - versions.keys()
    if others:
        versions |= {v.pk: v.parsed for v in ServiceVersion.objects.filter(pk__in=others)}
    photos: dict[int, list[str]] = {}
    if definition.publish_photos:
        for case_id, photo_id in (
            Attachment.objects.from_resident()
            .filter(case_id__in=[c.pk for c, _d in rows], content_type__in=IMAGE_TYPES)
            .values_list("case_id", "pk")
        ):
            photos.setdefault(case_id, []).append(str(photo_id))
    found = []
    for case, distance in rows:
        own = versions[case.service_version_id]
        found.append(
            NearbyCase(
                reference=case.reference,
                summary=public_summary(own, case.answers or {}),
                status=public_status(own, case.status),
                opened=case.created_at,
                distance_metres=round(distance),
                photo_ids=tuple(sorted(photos.get(case.pk, []))),
            )
        )
    return found


def nearby_rows(
    *,
    service_id: int,
    lon: float,
    lat: float,
    metres: float,
    since: datetime,
    limit: int = NEARBY_LIMIT,
) -> list[tuple[Case, float]]:
    """The open cases of one service within `metres` of the point, opened
    since `since`, each with its distance, nearest first: a bounding box on
    the indexed columns, then the exact distance."""
    min_lon, min_lat, max_lon, max_lat = bounding_box(lon, lat, metres)
    candidates = (
        Case.objects.filter(
            service_id=service_id,
            is_open=True,
            lat__isnull=False,
            lat__gte=min_lat,
            lat__lte=max_lat,
            lon__gte=min_lon,
            lon__lte=max_lon,
            created_at__gte=since,
            merged_into__isnull=True,
        )
        .only("pk", "reference", "status", "created_at", "lat", "lon", "answers", "service_version")
        .order_by()
    )
    within = []
    for case in candidates:
        distance = distance_metres(lon, lat, case.lon, case.lat)  # type: ignore[arg-type]
        if distance <= metres:
            within.append((case, distance))
    within.sort(key=lambda pair: (pair[1], pair[0].pk))
    return within[:limit]
