"""The resident front door: find a service, answer its questions, track a case."""

from __future__ import annotations

from datetime import timedelta
from itertools import groupby

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from townhall.cases import selectors as case_selectors
from townhall.cases.fix_checks import fix_check_current, fix_check_token
from townhall.cases.models import Case
from townhall.catalogue import selectors as catalogue_selectors
from townhall.core.throttle import client_key, throttle_allows
from townhall.insight.services import tracking_lookup_record
from townhall.tenancy.selectors import site_organisations
from townhall.web import place
from townhall.web.forms import ServiceSearchForm, TrackForm

# One client may look cases up this often: plenty for a resident, too few to
# guess reference and email pairs.
TRACK_LIMIT = 20
WINDOW = timedelta(minutes=15)


def home(request: HttpRequest) -> HttpResponse:
    services = catalogue_selectors.services_for(site_organisations(request))
    return render(request, "web/home.html", {"services": services[:8]})


def service_list(request: HttpRequest) -> HttpResponse:
    form = ServiceSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    organisations = site_organisations(request)
    services = catalogue_selectors.services_for(organisations, search=query)
    listed = place.services_listed(request, organisations, services)
    groups = [
        (category, list(entries))
        for category, entries in groupby(listed, lambda entry: entry.service.category)
    ]
    return render(
        request,
        "web/services.html",
        {
            "groups": groups,
            "form": form,
            "query": query,
            "count": len(listed),
            "several_councils": len({s.organisation_id for s in services}) > 1,
            "place": place.place_current(request),
        },
    )


def _fix_check_link(case: Case) -> str:
    """The "is it really fixed?" link for a case closed as fixed, until answered."""
    check = fix_check_current(case)
    return reverse("web:fixed", kwargs={"token": fix_check_token(check)}) if check else ""


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Look a case up by reference and email, phone number or postcode. POST
    only, so none of them ends up
    in a URL, a browser history or a server log."""
    form = TrackForm(request.POST if request.method == "POST" else None)
    case: Case | None = None
    not_found = False
    too_many = False
    if request.method == "POST" and form.is_valid():
        if throttle_allows(key=client_key(request, "track"), limit=TRACK_LIMIT, window=WINDOW):
            case = case_selectors.case_for_tracking(
                reference=form.cleaned_data["reference"],
                email=form.cleaned_data["email"],
                phone=form.cleaned_data["phone"],
                postcode=form.cleaned_data["postcode"],
            )
            not_found = case is None
        else:
            too_many = True
    if case is not None:
        tracking_lookup_record(organisation=case.organisation)
        definition = case.service_version.parsed
        events = [
            (event, definition.workflow.state(event.to_status).public_label)
            for event in case_selectors.public_timeline(case)
        ]
        return render(
            request,
            "web/track_case.html",
            {
                "case": case,
                "definition": definition,
                "status": definition.workflow.state(case.status).public_label,
                "events": events,
                "fix_check": _fix_check_link(case),
            },
        )
    return render(
        request,
        "web/track.html",
        {
            "form": form,
            "not_found": not_found,
            "too_many": too_many,
            "has_errors": bool(form.errors),
        },
        status=429 if too_many else 200,
    )
