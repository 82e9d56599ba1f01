"""Public reports: the open and recently closed cases of services that
publish their reports on the map (`public_on_map`), as anyone may see them.

What is shown is chosen, not filtered: the service, its status and status
history, the dates, the ward, the place rounded to a grid square, and a
summary only when the summary question's answer is one of the author's own
options (a radio or select), and the answers of questions the council marked
`publishable` (see insight.published)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from townhall.cases.conditions import answers_point
from townhall.cases.models import Case, CaseEvent
from townhall.cases.public import public_summary
from townhall.catalogue.engine.definition import ServiceDefinition
from townhall.catalogue.models import Service
from townhall.insight.open_data import Definitions, grid_point, public_services
from townhall.insight.published import PublishedAnswer, published_answers
from townhall.places.models import Area, AreaType
from townhall.tenancy.models import Organisation

RECENTLY_CLOSED = timedelta(days=30)
PAGE_SIZE = 50


@dataclass(frozen=True)
class PublicReport:
    reference: str
    service: str
    service_slug: str
    summary: str
    status: str
    is_open: bool
    opened: datetime
    closed: datetime | None
    ward: str
    lon: float | None
    lat: float | None
    # What the council chose to publish of the answers (`publishable`).
    details: tuple[PublishedAnswer, ...] = ()


@dataclass(frozen=True)
class StatusStep:
    label: str
    at: datetime


def public_cases(
    *,
    organisations: Iterable[Organisation],
    service: str = "",
    ward: str = "",
    state: str = "",
) -> QuerySet[Case]:
    """Open cases and those closed in the last 30 days of the public services
    of `organisations`, newest first, filtered by service slug, ward code and
    state ("open" or "closed")."""
    services = public_services(organisations)
    if service:
        services = [s for s in services if s.slug == service]
    recent = timezone.now() - RECENTLY_CLOSED
    cases = Case.objects.filter(service__in=services).filter(
        Q(is_open=True) | Q(closed_at__gte=recent)
    )
    if state == "open":
        cases = cases.filter(is_open=True)
    elif state == "closed":
        cases = cases.filter(is_open=False)
    if ward and connection.vendor == "postgresql":
        # JSON containment, which SQLite lacks: there `reports_page` checks.
        cases = cases.filter(area_codes__contains=[ward])
    return cases.select_related("service").order_by("-created_at", "-pk")


def reports_page(
    cases: QuerySet[Case], *, ward: str = "", before: tuple[datetime, int] | None = None
) -> tuple[list[PublicReport], tuple[datetime, int] | None]:
    """One page of reports, newest first, and where the next page starts."""
    if before is not None:
        cases = cases.filter(
            Q(created_at__lt=before[0]) | Q(created_at=before[0], pk__lt=before[1])
        )
    wards = dict(Area.objects.filter(type=AreaType.WARD).values_list("code", "name"))
    definitions = Definitions()
    grid = settings.OPEN_DATA_GRID_METRES
    rows: list[PublicReport] = []
    last: tuple[datetime, int] | None = None
    # On SQLite the ward filter runs here (JSON containment is PostgreSQL's):
    # read on until the page is full.
    for case in cases.iterator(chunk_size=PAGE_SIZE * 2):
        codes = case.area_codes or []
        if ward and ward not in codes:
            continue
        if len(rows) == PAGE_SIZE:
            return rows, last
        rows.append(_report(case, definitions.get(case.service_version_id), wards, grid))
        last = (case.created_at, case.pk)
    return rows, None


def _report(
    case: Case, definition: ServiceDefinition, wards: dict[str, str], grid: int
) -> PublicReport:
    point = answers_point(definition, case.answers or {})
    lon, lat = grid_point(*point, grid) if point else (None, None)
    try:
        status = str(definition.workflow.state(case.status).public_label)
    except KeyError:
        status = case.status
    ward = next((wards[c] for c in case.area_codes or [] if c in wards), "")
    return PublicReport(
        reference=case.reference,
        service=case.service.name,
        service_slug=case.service.slug,
        summary=public_summary(definition, case.answers or {}),
        status=status,
        is_open=case.is_open,
        opened=case.created_at,
        closed=case.closed_at,
        ward=ward,
        lon=lon,
        lat=lat,
        details=tuple(published_answers(definition, case.answers or {})),
    )


def public_report(
    *, organisations: Iterable[Organisation], reference: str
) -> tuple[PublicReport, list[StatusStep]] | None:
    """One public report and its status history, or None (not public)."""
    case = (
        public_cases(organisations=organisations)
        .filter(reference__iexact=reference)
        .select_related("service_version")
        .first()
    )
    if case is None:
        return None
    definition = case.service_version.parsed
    wards = dict(Area.objects.filter(type=AreaType.WARD).values_list("code", "name"))
    report = _report(case, definition, wards, settings.OPEN_DATA_GRID_METRES)
    steps = []
    for event in case.events.filter(
        kind__in=[CaseEvent.Kind.SUBMITTED, CaseEvent.Kind.STATUS_CHANGED]
    ).order_by("created_at", "pk"):
        try:
            label = str(definition.workflow.state(event.to_status).public_label)
        except KeyError:
            continue
        steps.append(StatusStep(label, event.created_at))
    return report, steps


def report_filters(
    organisations: Iterable[Organisation],
) -> tuple[list[Service], list[tuple[str, str]]]:
    """The services and wards residents can filter by."""
    services = public_services(organisations)
    wards = list(
        Area.objects.filter(type=AreaType.WARD).order_by("name").values_list("code", "name")
    )
    return services, wards
