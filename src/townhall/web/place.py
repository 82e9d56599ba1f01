"""The resident's place on a site that fronts several councils.

A resident may give their place first (on the service list) or pick a
service first; where two councils of the site offer the service, Townhall
asks the place before the questions (`where`). The place is kept in the
session as a postcode and its point, and decides which council's version
of a service the journey uses (`catalogue.place_routing`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from townhall.cases.conditions import answers_point
from townhall.catalogue.engine.definition import ServiceDefinition
from townhall.catalogue.models import Service, ServiceVersion
from townhall.catalogue.place_routing import (
    PlaceAnswer,
    service_at,
    service_for_place,
    site_services,
)
from townhall.core import memo
from townhall.places.lookup import areas_at
from townhall.places.models import Area, RoutingRule
from townhall.places.postcodes import PostcodeNotFound, postcode_find
from townhall.places.routing import rules_at
from townhall.tenancy.models import Organisation

PLACE = "townhall_place"


class PlaceNeeded(Exception):
    """The service's council depends on the place, and the resident has given none."""


class PlaceForm(forms.Form):
    postcode = forms.CharField(
        label=_("Postcode"),
        help_text=_("The postcode of the place the request is about, for example ZX1 1AA."),
        max_length=20,
        error_messages={
            "required": _("Enter a postcode"),
            "max_length": _("Enter a real postcode, like SW1A 2AA"),
        },
    )

    def clean_postcode(self) -> dict[str, Any]:
        try:
            found = postcode_find(self.cleaned_data["postcode"])
        except PostcodeNotFound as error:
            raise forms.ValidationError(str(error)) from error
        return {"postcode": found.postcode, "lon": found.lon, "lat": found.lat}


def place_remember(request: HttpRequest, place: dict[str, Any]) -> None:
    request.session[PLACE] = place


def place_forget(request: HttpRequest) -> None:
    request.session.pop(PLACE, None)


def place_current(request: HttpRequest) -> dict[str, Any] | None:
    """The place the resident gave on this site: postcode, lon and lat."""
    place = request.session.get(PLACE)
    if isinstance(place, dict) and {"postcode", "lon", "lat"} <= place.keys():
        return place
    return None


def offered(organisations: list[Organisation], slug: str) -> list[Service]:
    """The site's published services with this slug, one per council (remembered briefly)."""
    return memo.remembered(
        ("site-services", slug, tuple(o.pk for o in organisations)),
        lambda: site_services(organisations, slug),
    )


def answer_at(organisations: list[Organisation], slug: str, place: dict[str, Any]) -> PlaceAnswer:
    return service_at(organisations=organisations, slug=slug, lon=place["lon"], lat=place["lat"])


def service_chosen(
    request: HttpRequest, organisations: list[Organisation], slug: str
) -> Service | None:
    """The service a resident uses for `slug`: the only council's that offers it,
    or, where several do, the one that handles the resident's place. Raises
    PlaceNeeded if that takes a place the resident has not given, or gave for
    somewhere no council of the site handles."""
    services = offered(organisations, slug)
    if len(services) <= 1:
        return services[0] if services else None
    place = place_current(request)
    if place is None:
        raise PlaceNeeded
    answer = answer_at(organisations, slug, place)
    if answer.service is None:
        raise PlaceNeeded
    return answer.service


def place_first(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Send a resident to the "where" question when the service needs their place."""

    @wraps(view)
    def wrapped(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, slug, *args, **kwargs)
        except PlaceNeeded:
            where = reverse("web:where", kwargs={"slug": slug})
            return redirect(f"{where}?{urlencode({'next': request.get_full_path()})}")

    return wrapped


@dataclass(frozen=True)
class Handling:
    """Who will handle a journey's case, as check answers says before it is sent.

    `elsewhere` is set when the place the answers give is another council's
    on this site (`moved_to`) or no council's of the site (`outside`): then
    nothing may be sent."""

    council: Organisation
    moved_to: Organisation | None = None
    outside: PlaceAnswer | None = None

    @property
    def elsewhere(self) -> bool:
        return self.moved_to is not None or self.outside is not None


def covers_places(organisations: list[Organisation]) -> bool:
    """Whether any of these councils has said where it serves: it owns an area
    or a row of the routing table. Until one has, places decide nothing."""
    return (
        Area.objects.filter(organisation__in=organisations).exists()
        or RoutingRule.objects.filter(organisation__in=organisations).exists()
    )


def handling_for(
    organisations: list[Organisation],
    service: Service,
    definition: ServiceDefinition,
    answers: dict[str, Any],
) -> Handling:
    """Who handles the case these answers would make: the journey's council,
    unless its location answer lies where another council (or none) handles it."""
    point = answers_point(definition, answers)
    if point is None or not covers_places(organisations or [service.organisation]):
        return Handling(service.organisation)
    answer = service_at(
        organisations=organisations or [service.organisation],
        slug=service.slug,
        lon=point[0],
        lat=point[1],
    )
    if answer.service is None:
        return Handling(service.organisation, outside=answer)
    if answer.service.organisation_id != service.organisation_id:
        return Handling(service.organisation, moved_to=answer.service.organisation)
    return Handling(service.organisation)


TOO_MANY = _("You have looked up many postcodes recently. Wait 15 minutes and try again.")


@dataclass(frozen=True)
class Listed:
    """A service on the list: one entry per slug, with the councils that offer it
    when the resident's place has not yet said which."""

    service: Service
    councils: list[str]


def services_listed(
    request: HttpRequest, organisations: list[Organisation], services: list[Service]
) -> list[Listed]:
    """One entry per slug, keeping the list's order. Where several councils
    offer a slug and the resident has given a place, the entry is the
    version of the council that handles that place. A fixed number of
    queries, however many services: the place's areas, their rows and the
    definitions of the services several councils offer, each read once."""
    by_slug: dict[str, list[Service]] = {}
    for service in services:
        by_slug.setdefault(service.slug, []).append(service)
    current = place_current(request)
    shared = [s for group in by_slug.values() if len(group) > 1 for s in group]
    areas = areas_at(current["lon"], current["lat"]) if current and shared else []
    rules = rules_at(areas)
    if areas:
        _versions_load(shared)
    listed: list[Listed] = []
    for service in services:
        group = by_slug.pop(service.slug, None)
        if group is None:
            continue
        if len(group) == 1:
            listed.append(Listed(group[0], []))
            continue
        if areas:
            answer = service_for_place(
                organisations=organisations,
                slug=service.slug,
                areas=areas,
                candidates=group,
                rules=rules,
            )
            if answer.service is not None:
                listed.append(Listed(answer.service, []))
                continue
        listed.append(Listed(group[0], [s.organisation.name for s in group]))
    return listed


def _versions_load(services: list[Service]) -> None:
    """Give each service its published version in one query (for its LGSL code)."""
    ids = [s.published_version_id for s in services if s.published_version_id]
    versions = {v.pk: v for v in ServiceVersion.objects.filter(pk__in=ids)}
    for service in services:
        if service.published_version_id in versions:
            service.published_version = versions[service.published_version_id]
