"""`services` and `services/{service_code}` (also `service/{service_code}`):
the council's services anyone may use, and the attributes each asks. A
staff-only or unpublished service is never listed nor described."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from townhall.catalogue.models import Service
from townhall.core import memo
from townhall.integrations.open311 import params
from townhall.integrations.open311.endpoint import endpoint
from townhall.integrations.open311.fields import ServiceFields, attribute_document
from townhall.integrations.open311.output import Open311Error, respond
from townhall.tenancy.models import Organisation


def public_services(organisation: Organisation) -> list[Service]:
    """The council's services open to anyone, published and active, by group
    then name (kept per process for CONFIG_MEMO_SECONDS: do not change them)."""
    return memo.remembered(
        ("open311-services", organisation.pk),
        lambda: list(
            Service.objects.for_residents()
            .filter(organisation=organisation)
            .select_related("published_version")
            .order_by("category", "name")
        ),
    )


def public_service(organisation: Organisation, code: str, *, fresh: bool = False) -> Service | None:
    """The public service `code` of the council, its version knowing its
    service and council already (no query when the journey service asks).
    Kept per process for CONFIG_MEMO_SECONDS (core.memo): callers must not
    change it, and ask again with `fresh` when it turns out out of date."""
    return memo.remembered(
        ("open311-service", organisation.pk, code[:80]),
        lambda: _public_service(organisation, code),
        fresh=fresh,
    )


def _public_service(organisation: Organisation, code: str) -> Service | None:
    service = (
        Service.objects.for_residents()
        .filter(organisation=organisation, slug=code[:80])
        .select_related("published_version")
        .first()
    )
    if service is not None:
        service.organisation = organisation
        if service.published_version is not None:
            service.published_version.service = service
    return service


def _document(service: Service) -> dict[str, object]:
    version = service.published_version
    fields = ServiceFields(version.parsed) if version is not None else None
    return {
        "service_code": service.slug,
        "service_name": service.name,
        "description": service.summary,
        "metadata": bool(fields and fields.attributes),
        "type": "realtime",
        "keywords": service.category,
        "group": service.category,
    }


@endpoint("GET", "HEAD")
def service_list(request: HttpRequest, *, fmt: str) -> HttpResponse:
    organisation = params.jurisdiction(request, request.GET)
    documents = [_document(service) for service in public_services(organisation)]
    return respond(fmt, documents, root="services", item="service")


@endpoint("GET", "HEAD")
def service_definition(request: HttpRequest, code: str, *, fmt: str) -> HttpResponse:
    organisation = params.jurisdiction(request, request.GET)
    service = public_service(organisation, code)
    if service is None or service.published_version is None:
        raise Open311Error(404, (404, f"service_code not found: {code[:80]}"))
    fields = ServiceFields(service.published_version.parsed)
    document = {
        "service_code": service.slug,
        "attributes": [
            attribute_document(question, order)
            for order, question in enumerate(fields.attributes, start=1)
        ],
    }
    return respond(fmt, document, root="service_definition", item="attribute")
