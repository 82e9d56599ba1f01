"""mySociety's updates extension: `servicerequestupdates` GET lists what
happened to the council's public cases (status changes and public updates)
between two times; POST is a back-office system telling Townhall what
happened to a case, applied through the service's workflow
(`cases.external.case_external_update`).

The text staff write to a resident is theirs and may name them, so GET
gives each update's status and its public label, never that text."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse

from townhall.cases.external import ExternalUpdateRefused, case_external_update
from townhall.cases.models import CaseEvent
from townhall.integrations.models import ApiKey
from townhall.integrations.open311 import params
from townhall.integrations.open311.endpoint import endpoint
from townhall.integrations.open311.output import Open311Error, respond, w3c
from townhall.integrations.open311.service_requests import Catalogue, public_cases

UPDATE_KINDS = (CaseEvent.Kind.STATUS_CHANGED, CaseEvent.Kind.PUBLIC_UPDATE)


@endpoint("GET", "HEAD")
def update_list(request: HttpRequest, *, fmt: str) -> HttpResponse:
    data = request.GET
    catalogue = Catalogue(params.jurisdiction(request, data))
    when = params.span(data)
    page = params.page(data)
    events = list(
        CaseEvent.objects.filter(
            case__organisation=catalogue.organisation,
            case__service_id__in=list(catalogue.services),
            kind__in=UPDATE_KINDS,
            created_at__gte=when.start,
            created_at__lte=when.end,
        )
        .select_related("case__service_version")
        .only(
            "pk",
            "to_status",
            "created_at",
            "payload",
            "case__reference",
            "case__service_version_id",
            "case__service_version__id",
            "case__service_version__created_at",
            "case__service_version__status",
        )
        .order_by("created_at", "pk")[page.offset : page.offset + page.size]
    )
    catalogue.definitions_for(
        (version.pk, version.created_at, version.status)
        for version in (event.case.service_version for event in events)
    )
    documents = [_document(catalogue, event) for event in events]
    return respond(fmt, documents, root="service_request_updates", item="request_update")


def _document(catalogue: Catalogue, event: CaseEvent) -> dict[str, Any]:
    workflow = catalogue.definition(event.case.service_version_id).workflow
    return {
        "update_id": str(event.pk),
        "service_request_id": event.case.reference,
        "status": workflow.external_status(event.to_status),
        "updated_datetime": w3c(event.created_at),
        "description": workflow.state(event.to_status).public_label,
        "media_url": "",
        "external_status_code": str(event.payload.get("external_status_code", "")),
    }


@endpoint("POST")
def update_create(request: HttpRequest, *, fmt: str) -> HttpResponse:
    data, _files = params.form_data(request)
    organisation, key = params.jurisdiction_and_key(request, data, scope=ApiKey.Scope.WRITE)
    catalogue = Catalogue(organisation)
    reference = params.text(data, "service_request_id", limit=24)
    status = params.text(data, "status", limit=40).upper()
    update_id = params.text(data, "update_id", limit=100)
    for name, value in (
        ("service_request_id", reference),
        ("status", status),
        ("update_id", update_id),
    ):
        if not value:
            raise Open311Error(400, (400, f"{name} is required"))
    case = public_cases(catalogue).filter(reference=reference).first()
    if case is None:
        raise Open311Error(404, (404, f"service_request_id not found: {reference}"))
    try:
        update = case_external_update(
            case=case,
            status=status,
            description=params.text(data, "description", limit=4000),
            update_id=update_id,
            updated_at=params.moment(data, "updated_datetime"),
            external_status_code=params.text(data, "external_status_code", limit=100),
            client=key.name,
        )
    except ExternalUpdateRefused as refused:
        raise Open311Error(400, (400, str(refused))) from refused
    # The id GET gives the same update; one that changed nothing has no event.
    document = {"update_id": str(update.event_id or f"external-{update.pk}")}
    return respond(fmt, [document], root="service_request_updates", item="request_update")
