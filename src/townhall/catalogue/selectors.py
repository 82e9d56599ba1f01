"""Reads from the catalogue."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby

from townhall.catalogue.models import Service
from townhall.tenancy.models import Organisation


def services_for(organisations: Iterable[Organisation]) -> list[Service]:
    """Published services of these councils, ordered by category then name."""
    return list(
        Service.objects.published()
        .filter(organisation__in=list(organisations))
        .select_related("organisation")
        .order_by("category", "name")
    )


def services_by_category(services: list[Service]) -> list[tuple[str, list[Service]]]:
    return [(category, list(group)) for category, group in groupby(services, lambda s: s.category)]


def service_for_slug(organisations: Iterable[Organisation], slug: str) -> Service | None:
    return (
        Service.objects.published()
        .filter(organisation__in=list(organisations), slug=slug)
        .select_related("organisation", "published_version")
        .first()
    )
