"""Giving a place: before a service whose council depends on it ("where"),
or first, for the whole site ("place"). Both keep the place in the session;
a place that no council of the site handles gets a plain answer naming whom
to contact, and nothing is started."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from townhall.core.throttle import client_key, throttle_allows
from townhall.tenancy.selectors import site_organisations
from townhall.web import place
from townhall.web.views import TRACK_LIMIT, WINDOW


def _allowed(request: HttpRequest) -> bool:
    # A lookup like tracking: plenty for a resident, too few to walk the directory.
    return throttle_allows(key=client_key(request, "place"), limit=TRACK_LIMIT * 3, window=WINDOW)


def _next(request: HttpRequest, slug: str) -> str:
    """Where the resident was going (a page of this service), else its start."""
    wanted = request.GET.get("next", "")
    start = reverse("web:start", kwargs={"slug": slug})
    safe = url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()})
    return wanted if safe and wanted.startswith(start) else start


@require_http_methods(["GET", "POST"])
def where(request: HttpRequest, slug: str) -> HttpResponse:
    """Where is it? Asked before the questions of a service several councils of the site offer."""
    organisations = site_organisations(request)
    services = place.offered(organisations, slug)
    if not services:
        raise Http404("No such service")
    form = place.PlaceForm(request.POST if request.method == "POST" else None)
    outside = None
    if request.method == "POST" and _allowed(request) and form.is_valid():
        chosen = form.cleaned_data["postcode"]
        place.place_remember(request, chosen)
        answer = place.answer_at(organisations, slug, chosen)
        if answer.service is not None:
            return redirect(_next(request, slug))
        outside = answer
    elif request.method == "POST" and not form.errors:
        form.add_error("postcode", place.TOO_MANY)
    current = place.place_current(request)
    if request.method == "GET" and current is not None:
        # Sent back here with a place no council of the site handles: say so again.
        known = place.answer_at(organisations, slug, current)
        outside = known if known.service is None else None
    return render(
        request,
        "web/where.html",
        {
            "service": services[0],
            "councils": [s.organisation for s in services],
            "form": form,
            "outside": outside,
            "has_errors": bool(form.errors),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def place_choose(request: HttpRequest) -> HttpResponse:
    """Give a place first: the service list then shows, for each service,
    the version of the council that handles that place."""
    if request.method == "POST" and request.POST.get("action") == "forget":
        place.place_forget(request)
        return redirect("web:services")
    form = place.PlaceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and _allowed(request) and form.is_valid():
        place.place_remember(request, form.cleaned_data["postcode"])
        return redirect("web:services")
    if request.method == "POST" and not form.errors:
        form.add_error("postcode", place.TOO_MANY)
    return render(
        request,
        "web/place.html",
        {"form": form, "current": place.place_current(request), "has_errors": bool(form.errors)},
        status=400 if form.errors else 200,
    )
