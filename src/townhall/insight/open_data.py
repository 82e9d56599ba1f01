"""Open data: anonymised cases of the services a council publishes on its
map, as rows for CSV, JSON and GeoJSON, read in chunks so a file of a million
cases streams in constant memory.

A row holds only: reference, service, LGSL code, status, dates opened and
closed, ward, the location rounded to the centre of a grid square, and the
answers of questions the council marked `publishable` (insight.published).
Never other answers, summaries, names, emails, phone numbers or exact places, and never a
service that is not public (one whose `public_on_map` is false, such as
anti-social behaviour)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Case as CaseWhen
from django.db.models import F, JSONField, QuerySet, Value, When

from townhall.cases.models import Case
from townhall.catalogue.engine.definition import ServiceDefinition
from townhall.catalogue.models import Service, ServiceVersion
from townhall.insight.published import published_text
from townhall.places.models import Area, AreaType
from townhall.tenancy.models import Organisation

CHUNK = 2000
METRES_PER_DEGREE = 111_320.0
FIELDS = [
    "reference",
    "council",
    "service",
    "lgsl_code",
    "status",
    "opened",
    "closed",
    "ward_code",
    "ward_name",
    "latitude",
    "longitude",
    "details",
]


@dataclass(frozen=True)
class Field:
    name: str
    description: str


def public_services(organisations: Iterable[Organisation]) -> list[Service]:
    """The services whose cases are published: on the map, and published."""
    services = Service.objects.filter(
        organisation__in=list(organisations), published_version__isnull=False
    ).select_related("published_version", "organisation")
    return [s for s in services if s.published_version and s.published_version.parsed.public_on_map]


def grid_point(lon: float, lat: float, metres: int) -> tuple[float, float]:
    """The centre of the `metres`-wide grid square that (lon, lat) falls in:
    every point in the square gives the same answer, so nothing finer leaks."""
    lat_step = metres / METRES_PER_DEGREE
    row = math.floor(lat / lat_step)
    centre_lat = (row + 0.5) * lat_step
    # Squares in a row share one width, from their row's middle latitude.
    lon_step = metres / (METRES_PER_DEGREE * max(math.cos(math.radians(centre_lat)), 0.01))
    centre_lon = (math.floor(lon / lon_step) + 0.5) * lon_step
    return round(centre_lon, 5), round(centre_lat, 5)


class Definitions:
    """Each service version's definition, parsed once per export."""

    def __init__(self) -> None:
        self._parsed: dict[int, ServiceDefinition] = {}

    def get(self, version_id: int) -> ServiceDefinition:
        if version_id not in self._parsed:
            self._parsed[version_id] = ServiceVersion.objects.get(pk=version_id).parsed
        return self._parsed[version_id]


def _publishing_versions(services: list[Service]) -> list[int]:
    """The versions of `services` with a question the council publishes: only
    their cases' answers are read (for `details`); every other case's place
    comes from its own columns."""
    return [
        version.pk
        for version in ServiceVersion.objects.filter(service__in=services).order_by()
        if any(question.publishable for _page, question in version.parsed.questions())
    ]


def _wards() -> dict[str, tuple[str, str]]:
    return {
        code: (code, name)
        for code, name in Area.objects.filter(type=AreaType.WARD).values_list("code", "name")
        if code
    }


def cases_for(services: list[Service]) -> QuerySet[Case]:
    return Case.objects.filter(service__in=services).order_by("pk")


def open_data_rows(services: list[Service]) -> Iterator[dict[str, Any]]:
    """One dict a case, in the order of FIELDS, chunk by chunk."""
    by_id = {service.pk: service for service in services}
    definitions = Definitions()
    wards = _wards()
    grid = settings.OPEN_DATA_GRID_METRES
    publishing = _publishing_versions(services)
    # The answers, only where a question is published; NULL, not read, elsewhere.
    published = (
        CaseWhen(
            When(service_version_id__in=publishing, then=F("answers")),
            default=Value(None),
            output_field=JSONField(),
        )
        if publishing
        else Value(None, output_field=JSONField())
    )
    rows = (
        cases_for(services)
        .annotate(published=published)
        .values_list(
            "reference",
            "service_id",
            "service_version_id",
            "status",
            "created_at",
            "closed_at",
            "area_codes",
            "lon",
            "lat",
            "published",
        )
    )
    labels: dict[tuple[int, str], str] = {}
    for (
        reference,
        service_id,
        version_id,
        status,
        created,
        closed,
        codes,
        exact_lon,
        exact_lat,
        answers,
    ) in rows.iterator(chunk_size=CHUNK):
        service = by_id[service_id]
        definition = definitions.get(version_id)
        ward = next((wards[code] for code in codes or [] if code in wards), ("", ""))
        if exact_lon is not None and exact_lat is not None:
            lon, lat = grid_point(exact_lon, exact_lat, grid)
        else:
            lon, lat = None, None
        status_label = labels.get((version_id, status))
        if status_label is None:
            try:
                status_label = str(definition.workflow.state(status).label)
            except KeyError:
                status_label = status
            labels[version_id, status] = status_label
        yield {
            "reference": reference,
            "council": service.organisation.name,
            "service": service.name,
            "lgsl_code": definition.lgsl,
            "status": status_label,
            "opened": created.date().isoformat(),
            "closed": closed.date().isoformat() if closed else None,
            "ward_code": ward[0],
            "ward_name": ward[1],
            "latitude": lat,
            "longitude": lon,
            "details": published_text(definition, answers) if answers else "",
        }
