"""`requests` (GET) and `requests/{service_request_id}`: cases of the
council's public services, without personal data. A case's place is given
only for services whose definitions say their cases may be shown on a map
(`public_on_map`); its description is the case's one-line summary."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from townhall.cases.models import Case
from townhall.catalogue.engine.definition import ServiceDefinition
from townhall.catalogue.engine.languages import active_language
from townhall.catalogue.engine.registry import definition_known
from townhall.catalogue.models import Service, ServiceVersion
from townhall.integrations.open311 import params
from townhall.integrations.open311.endpoint import endpoint
from townhall.integrations.open311.fields import ServiceFields
from townhall.integrations.open311.output import Open311Error, respond, w3c
from townhall.integrations.open311.service_types import public_services
from townhall.tenancy.models import Organisation

# What a request document needs of a case, read as plain rows: making a
# hundred model instances cost more than the query that found them.
LISTED_FIELDS = (
    "reference",
    "service_id",
    "service_version_id",
    "status",
    "is_open",
    "summary",
    "created_at",
    "updated_at",
    "due_at",
    "answers",  # read for the place alone, and only where the service allows it
    # The version, enough to find its parsed definition among those kept.
    "service_version__created_at",
    "service_version__status",
)


class Catalogue:
    """The council's public services and the definitions of the versions
    their cases were made on, each parsed once per process (published
    versions never change) and its row read only when not parsed yet."""

    def __init__(self, organisation: Organisation) -> None:
        self.organisation = organisation
        self.services: dict[int, Service] = {s.pk: s for s in public_services(organisation)}
        self._definitions: dict[int, ServiceDefinition] = {}
        self._places: dict[int, str | None] = {}

    def by_codes(self, codes: Iterable[str]) -> list[int]:
        wanted = set(codes)
        return [pk for pk, service in self.services.items() if service.slug in wanted]

    def definitions_for(self, versions: Iterable[tuple[int, datetime, str]]) -> None:
        """Find the definitions of these versions (id, created_at, status),
        with one query for those this process has not parsed yet."""
        language = active_language()
        missing = set()
        for pk, created_at, status in versions:
            if pk in self._definitions:
                continue
            known = None
            if status != ServiceVersion.Status.DRAFT:
                known = definition_known((pk, created_at), language)
            if known is None:
                missing.add(pk)
            else:
                self._definitions[pk] = known
        if missing:
            for version in ServiceVersion.objects.filter(pk__in=missing):
                self._definitions[version.pk] = version.parsed  # kept if published

    def definition(self, version_id: int) -> ServiceDefinition:
        return self._definitions[version_id]

    def place_shown(self, version_id: int) -> str | None:
        """The id of the question that holds a case's place, if its version
        lets the place be shown (public_on_map), else None."""
        if version_id not in self._places:
            definition = self._definitions[version_id]
            place = ServiceFields(definition).place if definition.public_on_map else None
            self._places[version_id] = place.id if place is not None else None
        return self._places[version_id]


def public_cases(catalogue: Catalogue) -> QuerySet[Case]:
    return Case.objects.filter(
        organisation=catalogue.organisation, service_id__in=list(catalogue.services)
    )


def listed(cases: QuerySet[Case]) -> QuerySet[Case, dict[str, Any]]:
    """`cases` as the rows `request_documents` reads."""
    return cases.values(*LISTED_FIELDS)


def request_documents(
    catalogue: Catalogue, rows: list[dict[str, Any]], *, extensions: bool = False
) -> list[dict[str, Any]]:
    """Rows of `listed` cases as Open311 requests, with one more query at
    most (versions this process has not parsed yet)."""
    catalogue.definitions_for(
        (
            row["service_version_id"],
            row["service_version__created_at"],
            row["service_version__status"],
        )
        for row in rows
    )
    zone = timezone.get_current_timezone()
    return [_document(catalogue, row, zone, extensions=extensions) for row in rows]


def _document(
    catalogue: Catalogue, row: dict[str, Any], zone: tzinfo, *, extensions: bool
) -> dict[str, Any]:
    definition = catalogue.definition(row["service_version_id"])
    service = catalogue.services[row["service_id"]]
    state = definition.workflow.state(row["status"])
    document: dict[str, Any] = {
        "service_request_id": row["reference"],
        "status": "open" if row["is_open"] else "closed",
        "status_notes": state.public_label,
        "service_name": service.name,
        "service_code": service.slug,
        "description": row["summary"],
        "agency_responsible": catalogue.organisation.name,
        "service_notice": "",
        "requested_datetime": w3c(row["created_at"], zone),
        "updated_datetime": w3c(row["updated_at"], zone),
        "expected_datetime": w3c(row["due_at"], zone),
        **_place(catalogue.place_shown(row["service_version_id"]), row["answers"]),
        "media_url": "",
    }
    if extensions:
        document["extended_attributes"] = {
            "external_status": definition.workflow.external_status(row["status"]),
            "status_label": state.public_label,
        }
    return document


def _place(question_id: str | None, answers: Any) -> dict[str, Any]:
    """Where the case is, if its service may show it (`question_id` holds
    it): the place the resident gave (text and point), never the resident's
    own details."""
    value = answers.get(question_id) if question_id and isinstance(answers, dict) else None
    if not isinstance(value, dict):
        return {"address": "", "address_id": "", "zipcode": "", "lat": None, "long": None}
    point = value.get("point") or {}
    return {
        "address": str(value.get("text", "")),
        "address_id": "",
        "zipcode": str(value.get("postcode", "") or ""),
        "lat": point.get("lat"),
        "long": point.get("lon"),
    }


@endpoint("GET", "HEAD")
def request_list(request: HttpRequest, *, fmt: str) -> HttpResponse:
    data = request.GET
    catalogue = Catalogue(params.jurisdiction(request, data))
    cases = public_cases(catalogue)
    references = params.comma_list(data, "service_request_id")
    if references:  # overrides every other filter, as the specification says
        cases = cases.filter(reference__in=references)
    else:
        codes = params.comma_list(data, "service_code")
        if codes:
            cases = cases.filter(service_id__in=catalogue.by_codes(codes))
        statuses = {s.lower() for s in params.comma_list(data, "status")}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, (400, "status must be open or closed (comma separated)"))
        if len(statuses) == 1:
            cases = cases.filter(is_open=statuses == {"open"})
        when = params.span(data)
        cases = cases.filter(created_at__gte=when.start, created_at__lte=when.end)
    page = params.page(data)
    rows = list(listed(cases.order_by("-created_at", "-pk"))[page.offset : page.offset + page.size])
    documents = request_documents(catalogue, rows, extensions=params.flag(data, "extensions"))
    return respond(fmt, documents, root="service_requests", item="request")


@endpoint("GET", "HEAD")
def request_detail(request: HttpRequest, reference: str, *, fmt: str) -> HttpResponse:
    data = request.GET
    catalogue = Catalogue(params.jurisdiction(request, data))
    rows = list(listed(public_cases(catalogue).filter(reference=reference[:24]))[:1])
    if not rows:
        raise Open311Error(404, (404, f"service_request_id not found: {reference[:24]}"))
    documents = request_documents(catalogue, rows, extensions=params.flag(data, "extensions"))
    return respond(fmt, documents, root="service_requests", item="request")
