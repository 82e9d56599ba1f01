"""`requests` (GET) and `requests/{service_request_id}`: cases of the
council's public services, without personal data. A case's place is given
only for services whose definitions say their cases may be shown on a map
(`public_on_map`); its description is the case's one-line summary."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import BigIntegerField, Func, QuerySet
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
from townhall.integrations.open311.output import Open311Error, respond, w3c_seconds
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
    "answers",  # read for the place alone, and only where the service allows it
    # The version, enough to find its parsed definition among those kept.
    "service_version__created_at",
    "service_version__status",
)


class EpochSeconds(Func):
    """A time as whole seconds since 1970 (its fraction dropped), NULL as NULL.

    The list reads its cases' times this way (ADR 0072): Open311 writes them
    to the second, and Django's loader of a PostgreSQL timestamp, written in
    Python, cost more than anything else on a page of requests; an integer
    comes from the driver's C code and `datetime.fromtimestamp` is C too."""

    template = "FLOOR(EXTRACT(EPOCH FROM %(expressions)s))::bigint"
    output_field = BigIntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # SQLite's date functions round to the millisecond (…59.9999 would be
        # the next second): the fraction is cut off the stored text first.
        template = "CAST(strftime('%%%%s', substr(%(expressions)s, 1, 19)) AS INTEGER)"
        return self.as_sql(compiler, connection, template=template)


# Each time a request document gives, as whole seconds (EpochSeconds).
LISTED_TIMES = {
    "created": EpochSeconds("created_at"),
    "updated": EpochSeconds("updated_at"),
    "due": EpochSeconds("due_at"),
}


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


def _public(catalogue: Catalogue, service_ids: Iterable[int] | None = None) -> dict[str, Any]:
    """The filter of the council's public cases: of all its public services,
    or of those among them in `service_ids`."""
    public = catalogue.services
    chosen = list(public) if service_ids is None else [pk for pk in service_ids if pk in public]
    return {"organisation_id": catalogue.organisation.pk, "service_id__in": chosen}


def public_cases(catalogue: Catalogue) -> QuerySet[Case]:
    return Case.objects.filter(**_public(catalogue))


# The rows request documents are made from, newest first, built once per
# process: a request adds its filters and page to a copy (building this shape
# again for every request cost about as much as compiling the statement).
LISTED_ROWS = Case.objects.order_by("-created_at", "-pk").values(*LISTED_FIELDS, **LISTED_TIMES)


def listed(
    catalogue: Catalogue, *, service_ids: Iterable[int] | None = None, **filters: Any
) -> QuerySet[Case, dict[str, Any]]:
    """The council's public cases (of `service_ids` among its public
    services, if given) matching `filters`, as the rows `request_documents`
    reads, newest first."""
    return LISTED_ROWS.filter(**_public(catalogue, service_ids), **filters)


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
    agency = catalogue.organisation.name
    # What every case of one version in one status shares, worked out once
    # a page rather than once a case.
    shared: dict[tuple[int, str], tuple[dict[str, Any], str | None, dict[str, str] | None]] = {}
    documents = []
    for row in rows:
        key = (row["service_version_id"], row["status"])
        found = shared.get(key)
        if found is None:
            found = shared[key] = _shared(catalogue, row, extensions=extensions)
        head, place_id, extended = found
        document = {
            "service_request_id": row["reference"],
            "status": "open" if row["is_open"] else "closed",
            **head,
            "description": row["summary"],
            "agency_responsible": agency,
            "service_notice": "",
            "requested_datetime": w3c_seconds(row["created"], zone),
            "updated_datetime": w3c_seconds(row["updated"], zone),
            "expected_datetime": w3c_seconds(row["due"], zone),
            **_place(place_id, row["answers"]),
            "media_url": "",
        }
        if extended is not None:
            document["extended_attributes"] = dict(extended)
        documents.append(document)
    return documents


def _shared(
    catalogue: Catalogue, row: dict[str, Any], *, extensions: bool
) -> tuple[dict[str, Any], str | None, dict[str, str] | None]:
    """The fields every case of `row`'s version and status has in common: the
    status notes and service (in document order), the question holding the
    place, and the extensions' attributes if asked for."""
    definition = catalogue.definition(row["service_version_id"])
    service = catalogue.services[row["service_id"]]
    state = definition.workflow.state(row["status"])
    head = {
        "status_notes": state.public_label,
        "service_name": service.name,
        "service_code": service.slug,
    }
    extended = None
    if extensions:
        extended = {
            "external_status": definition.workflow.external_status(row["status"]),
            "status_label": state.public_label,
        }
    return head, catalogue.place_shown(row["service_version_id"]), extended


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
    filters: dict[str, Any] = {}
    service_ids = None
    references = params.comma_list(data, "service_request_id")
    if references:  # overrides every other filter, as the specification says
        filters["reference__in"] = references
    else:
        codes = params.comma_list(data, "service_code")
        if codes:
            service_ids = catalogue.by_codes(codes)
        statuses = {s.lower() for s in params.comma_list(data, "status")}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, (400, "status must be open or closed (comma separated)"))
        if len(statuses) == 1:
            filters["is_open"] = statuses == {"open"}
        when = params.span(data)
        filters.update(created_at__gte=when.start, created_at__lte=when.end)
    page = params.page(data)
    chosen = listed(catalogue, service_ids=service_ids, **filters)
    rows = list(chosen[page.offset : page.offset + page.size])
    documents = request_documents(catalogue, rows, extensions=params.flag(data, "extensions"))
    return respond(fmt, documents, root="service_requests", item="request")


@endpoint("GET", "HEAD")
def request_detail(request: HttpRequest, reference: str, *, fmt: str) -> HttpResponse:
    data = request.GET
    catalogue = Catalogue(params.jurisdiction(request, data))
    rows = list(listed(catalogue, reference=reference[:24])[:1])
    if not rows:
        raise Open311Error(404, (404, f"service_request_id not found: {reference[:24]}"))
    documents = request_documents(catalogue, rows, extensions=params.flag(data, "extensions"))
    return respond(fmt, documents, root="service_requests", item="request")
