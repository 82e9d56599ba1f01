"""`requests` (GET) and `requests/{service_request_id}`: cases of the
council's public services, without personal data. A case's place is given
only for services whose definitions say their cases may be shown on a map
(`public_on_map`); its description is the case's one-line summary."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from townhall.cases.models import Case
from townhall.catalogue.engine.definition import ServiceDefinition
from townhall.catalogue.engine.languages import active_language
from townhall.catalogue.models import Service, ServiceVersion
from townhall.integrations.open311 import params
from townhall.integrations.open311.endpoint import endpoint
from townhall.integrations.open311.fields import ServiceFields
from townhall.integrations.open311.output import Open311Error, respond, w3c
from townhall.integrations.open311.service_types import public_services
from townhall.tenancy.models import Organisation

LISTED_FIELDS = (
    "pk",
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
    "service_version__id",
    "service_version__created_at",
    "service_version__status",
)


# Definitions of published versions, which never change, kept between requests.
_versions: dict[tuple[int, datetime, str], ServiceDefinition] = {}
MAX_VERSIONS_KEPT = 500


class Catalogue:
    """The council's public services and the versions their cases were made
    on, each read and parsed once per response."""

    def __init__(self, organisation: Organisation) -> None:
        self.organisation = organisation
        self.services: dict[int, Service] = {s.pk: s for s in public_services(organisation)}
        self._definitions: dict[int, ServiceDefinition] = {}

    def by_codes(self, codes: Iterable[str]) -> list[int]:
        wanted = set(codes)
        return [pk for pk, service in self.services.items() if service.slug in wanted]

    def definitions_for(self, cases: Iterable[Case]) -> None:
        """The definitions of the cases' versions (read with the cases, see
        VERSION_FIELDS), each published one parsed once per process."""
        language = active_language()
        for case in cases:
            version = case.service_version
            if version.pk in self._definitions:
                continue
            key = (version.pk, version.created_at, language)
            if (known := _versions.get(key)) is None:
                known = version.parsed  # reads the definition itself, once
                if version.status != ServiceVersion.Status.DRAFT:  # published: never changes
                    if len(_versions) >= MAX_VERSIONS_KEPT:
                        _versions.clear()
                    _versions[key] = known
            self._definitions[version.pk] = known

    def definition(self, case: Case) -> ServiceDefinition:
        return self._definitions[case.service_version_id]


def public_cases(catalogue: Catalogue) -> QuerySet[Case]:
    return Case.objects.filter(
        organisation=catalogue.organisation, service_id__in=list(catalogue.services)
    )


def request_documents(
    catalogue: Catalogue, cases: list[Case], *, extensions: bool = False
) -> list[dict[str, Any]]:
    """Cases as Open311 requests, with one more query at most (versions not yet read)."""
    catalogue.definitions_for(cases)
    return [
        _document(
            catalogue,
            case,
            case.answers if catalogue.definition(case).public_on_map else None,
            extensions=extensions,
        )
        for case in cases
    ]


def _document(
    catalogue: Catalogue, case: Case, answers: Any, *, extensions: bool
) -> dict[str, Any]:
    definition = catalogue.definition(case)
    service = catalogue.services[case.service_id]
    state = definition.workflow.state(case.status)
    document: dict[str, Any] = {
        "service_request_id": case.reference,
        "status": "open" if case.is_open else "closed",
        "status_notes": state.public_label,
        "service_name": service.name,
        "service_code": service.slug,
        "description": case.summary,
        "agency_responsible": catalogue.organisation.name,
        "service_notice": "",
        "requested_datetime": w3c(case.created_at),
        "updated_datetime": w3c(case.updated_at),
        "expected_datetime": w3c(case.due_at),
        **_place(definition, answers),
        "media_url": "",
    }
    if extensions:
        document["extended_attributes"] = {
            "external_status": definition.workflow.external_status(case.status),
            "status_label": state.public_label,
        }
    return document


def _place(definition: ServiceDefinition, answers: Any) -> dict[str, Any]:
    """Where the case is, if its service may show it: the place the resident
    gave (text and point), never the resident's own details."""
    place = ServiceFields(definition).place
    value = answers.get(place.id) if place is not None and isinstance(answers, dict) else None
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
    listed = list(
        cases.select_related("service_version")
        .only(*LISTED_FIELDS)
        .order_by("-created_at", "-pk")[page.offset : page.offset + page.size]
    )
    documents = request_documents(catalogue, listed, extensions=params.flag(data, "extensions"))
    return respond(fmt, documents, root="service_requests", item="request")


@endpoint("GET", "HEAD")
def request_detail(request: HttpRequest, reference: str, *, fmt: str) -> HttpResponse:
    data = request.GET
    catalogue = Catalogue(params.jurisdiction(request, data))
    case = (
        public_cases(catalogue)
        .filter(reference=reference[:24])
        .select_related("service_version")
        .only(*LISTED_FIELDS)
        .first()
    )
    if case is None:
        raise Open311Error(404, (404, f"service_request_id not found: {reference[:24]}"))
    documents = request_documents(catalogue, [case], extensions=params.flag(data, "extensions"))
    return respond(fmt, documents, root="service_requests", item="request")
