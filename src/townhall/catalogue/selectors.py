"""Reads from the catalogue."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby

from django.db.models import Q

from townhall.catalogue.models import Service
from townhall.core import memo
from townhall.tenancy.models import Organisation


def services_for(organisations: Iterable[Organisation], *, search: str = "") -> list[Service]:
    """Services residents of these councils can use online (some once signed
    in), by category then name,
    optionally only those whose name, summary, category or keywords mention every
    search word."""
    services = Service.objects.online().filter(organisation__in=list(organisations))
    for word in search.split()[:10]:
        services = services.filter(
            Q(name__icontains=word)
            | Q(summary__icontains=word)
            | Q(category__icontains=word)
            | Q(keywords__icontains=word)
        )
    return list(services.select_related("organisation").order_by("category", "name"))


def services_by_category(services: list[Service]) -> list[tuple[str, list[Service]]]:
    return [(category, list(group)) for category, group in groupby(services, lambda s: s.category)]


def service_for_slug(organisations: Iterable[Organisation], slug: str) -> Service | None:
    """The service with this slug among `organisations`, the first council's by
    name. Residents' journeys do not use it where several councils of a site
    offer the slug: `web.place.service_chosen` decides those by place."""
    organisations = list(organisations)
    return memo.remembered(
        ("service", slug, tuple(o.pk for o in organisations)),
        lambda: (
            Service.objects.online()
            .filter(organisation__in=organisations, slug=slug)
            .select_related("organisation", "published_version")
            .order_by("organisation__name")
            .first()
        ),
    )


def staff_service_for_slug(organisation: Organisation, slug: str) -> Service | None:
    """A published service of the council's, whoever its audience: staff record
    contacts for staff-only services too."""
    return (
        Service.objects.for_organisation(organisation)
        .published()
        .filter(slug=slug)
        .select_related("organisation", "published_version")
        .first()
    )


def staff_services(organisation: Organisation) -> list[Service]:
    """The council's published services, by category then name."""
    return list(
        Service.objects.for_organisation(organisation)
        .published()
        .select_related("organisation")
        .order_by("category", "name")
    )
