"""Writes to the catalogue: importing and publishing service definitions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from townhall.catalogue.engine.definition import parse_definition
from townhall.catalogue.engine.languages import FALLBACK_LANGUAGE
from townhall.catalogue.models import Service, ServiceVersion
from townhall.tenancy.models import Organisation


@dataclass(frozen=True)
class ImportResult:
    service: Service
    version: ServiceVersion
    changed: bool


@transaction.atomic
def service_import(
    *, organisation: Organisation, definition: dict[str, Any], publish: bool = True
) -> ImportResult:
    """Store `definition` as the newest version of the organisation's service with
    its slug (creating the service if new). An unchanged definition adds no version.

    Raises DefinitionError, naming each problem, before anything is written.
    """
    parsed = parse_definition(definition)
    service, _created = Service.objects.select_for_update().get_or_create(
        organisation=organisation,
        slug=parsed.slug,
        defaults={"name": parsed.name, "summary": parsed.summary, "category": parsed.category},
    )
    latest = service.versions.order_by("-number").first()
    if latest is not None and latest.definition == definition:
        if publish and service.published_version_id != latest.pk:
            service_publish(version=latest)
        return ImportResult(service=service, version=latest, changed=False)
    version = ServiceVersion.objects.create(
        service=service,
        number=(latest.number + 1) if latest else 1,
        definition=definition,
    )
    if publish:
        service_publish(version=version)
    return ImportResult(service=service, version=version, changed=True)


@transaction.atomic
def service_publish(*, version: ServiceVersion) -> None:
    """Make `version` the one residents use; the previously published one retires.
    The service's name, summary and category (for lists and search) are its English."""
    parsed = version.parsed_in(FALLBACK_LANGUAGE)
    service = version.service
    ServiceVersion.objects.filter(service=service, status=ServiceVersion.Status.PUBLISHED).exclude(
        pk=version.pk
    ).update(status=ServiceVersion.Status.RETIRED)
    version.status = ServiceVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at"])
    service.name = parsed.name
    service.summary = parsed.summary
    service.category = parsed.category
    service.keywords = " ".join(parsed.keywords).lower()
    service.audience = parsed.audience
    service.published_version = version
    service.save(
        update_fields=["name", "summary", "category", "keywords", "audience", "published_version"]
    )
