"""Which council's version of a service a resident uses, decided by place.

A site can front a county and its districts. The service a resident picks is
named by its slug; the place (a postcode, a pin, a location answer) says
which council handles it there, through the routing table
(`places.routing`), falling back to the council that owns the area. The
answer is that council's published service on this site, or, when no
council of the site handles the place, whom the resident should contact.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from townhall.catalogue.models import Service
from townhall.places.lookup import areas_at
from townhall.places.models import Area, RoutingRule
from townhall.places.routing import (
    COUNCIL_TYPES,
    Responsible,
    ServiceCover,
    council_area_of,
    responsible_for,
    routing_gaps,
)
from townhall.tenancy.models import Organisation, Site


def service_lgsl(service: Service) -> int | None:
    """The service's LGSL code, from its published definition."""
    version = service.published_version
    value = version.definition.get("lgsl") if version is not None else None
    return value if isinstance(value, int) else None


def site_services(organisations: Iterable[Organisation], slug: str) -> list[Service]:
    """Every council's published service with this slug among `organisations`, by council name."""
    return list(
        Service.objects.online()
        .filter(organisation__in=list(organisations), slug=slug)
        .select_related("organisation", "published_version")
        .order_by("organisation__name")
    )


@dataclass(frozen=True)
class PlaceAnswer:
    """The service to use at a place, or whom to contact instead.

    `service` is None when no council of the site handles the place: then
    `contact` names the council (or the area) to contact, empty when the
    place lies in no area Townhall knows, and `website` is its web address
    when known."""

    service: Service | None
    responsible: Responsible | None = None
    contact: str = ""
    website: str = ""
    area_name: str = ""


def _outside(areas: list[Area], responsible: Responsible | None) -> PlaceAnswer:
    if responsible is not None:  # a row names a council this site does not serve
        council = responsible.organisation
        return PlaceAnswer(
            None,
            responsible,
            contact=council.name,
            website=council.website,
            area_name=responsible.area.name,
        )
    area = council_area_of(areas)
    if area is None:
        return PlaceAnswer(None)
    if area.organisation is not None:
        return PlaceAnswer(
            None,
            contact=area.organisation.name,
            website=area.organisation.website,
            area_name=area.name,
        )
    contact = _("the council for %(area)s") % {"area": area.name}
    return PlaceAnswer(None, contact=contact, area_name=area.name)


def service_for_place(
    *,
    organisations: Iterable[Organisation],
    slug: str,
    areas: list[Area],
    candidates: list[Service] | None = None,
    rules: list[RoutingRule] | None = None,
) -> PlaceAnswer:
    """The service (slug) of the council that handles it in the place `areas`
    (every area at one point) describe, among the councils of a site.

    `candidates` (the site's services with the slug, their published
    versions loaded) and `rules` (`places.routing.rules_at(areas)`) may be
    given when already read, as the service list does for every slug."""
    organisations = list(organisations)
    if candidates is None:
        candidates = site_services(organisations, slug)
    lgsl = service_lgsl(candidates[0]) if candidates else None
    offering = {s.organisation_id for s in candidates}
    responsible = responsible_for(slug=slug, lgsl=lgsl, areas=areas, offering=offering, rules=rules)
    if responsible is None:
        return _outside(areas, None)
    chosen = next((s for s in candidates if s.organisation_id == responsible.organisation.pk), None)
    if chosen is None and lgsl is not None and responsible.by_table:
        chosen = _service_with_lgsl(responsible.organisation, lgsl, organisations)
    if chosen is None:
        return _outside(areas, responsible)
    return PlaceAnswer(chosen, responsible)


def service_at(
    *, organisations: Iterable[Organisation], slug: str, lon: float, lat: float
) -> PlaceAnswer:
    """`service_for_place` at a point (longitude, latitude in WGS84)."""
    return service_for_place(organisations=organisations, slug=slug, areas=areas_at(lon, lat))


def _service_with_lgsl(
    organisation: Organisation, lgsl: int, organisations: list[Organisation]
) -> Service | None:
    """The council's resident service carrying this LGSL code under another slug."""
    if organisation not in organisations:
        return None
    services = (
        Service.objects.online()
        .for_organisation(organisation)
        .select_related("organisation", "published_version")
        .order_by("slug")
    )
    return next((s for s in services if service_lgsl(s) == lgsl), None)


def place_dependent(organisations: Iterable[Organisation], slug: str) -> bool:
    """Whether the council for this slug depends on the place: more than one
    council of the site offers it."""
    return len({s.organisation_id for s in site_services(organisations, slug)}) > 1


def coverage_gaps(*, organisation: Organisation | None) -> list[tuple[ServiceCover, Area]]:
    """Services with areas nobody covers, with the area.

    For a council: its own resident services, over the council areas of
    every council that shares a site with it. For the installation (None):
    every service, over every council's area.
    """
    if organisation is None:
        councils = list(Organisation.objects.all())
        services = Service.objects.online()
    else:
        shared = Site.objects.filter(organisations=organisation)
        councils = list(Organisation.objects.filter(Q(sites__in=shared) | Q(pk=organisation.pk)))
        services = Service.objects.online().for_organisation(organisation)
    councils = list({c.pk: c for c in councils}.values())
    covers: dict[str, ServiceCover] = {}
    offered = (
        Service.objects.online()
        .filter(organisation__in=councils)
        .select_related("published_version")
    )
    offering: dict[str, set[int]] = {}
    for service in offered:
        offering.setdefault(service.slug, set()).add(service.organisation_id)
    for service in services.select_related("published_version").order_by("name"):
        if service.slug not in covers:
            covers[service.slug] = ServiceCover(
                slug=service.slug,
                name=service.name,
                lgsl=service_lgsl(service),
                offering=frozenset(offering.get(service.slug, {service.organisation_id})),
            )
    areas = list(Area.objects.filter(organisation__in=councils, type__in=COUNCIL_TYPES))
    gaps = routing_gaps(services=covers.values(), areas=areas)
    return [(covers[gap.slug], gap.area) for gap in gaps]
