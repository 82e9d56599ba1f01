"""Assisted digital: staff record a phone, face-to-face or email contact
through the same service pages residents use online, so every contact is a
case with its channel, whoever typed it in. The pages are `web`'s views in the
ASSISTED mode; their rules are the journey service's (`cases.journey`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from townhall.backoffice.access import permission_required
from townhall.backoffice.caller import caller_context
from townhall.backoffice.forms import ChannelForm
from townhall.catalogue import selectors as catalogue_selectors
from townhall.tenancy.permissions import Permission
from townhall.web import form_views, updates_views
from townhall.web import journey as session
from townhall.web.modes import ASSISTED

recording = permission_required(Permission.RECORD_CONTACTS)


@recording
def service_index(request: HttpRequest) -> HttpResponse:
    services = catalogue_selectors.staff_services(request.organisation)  # type: ignore[attr-defined]
    groups = catalogue_selectors.services_by_category(services)
    return render(
        request, "backoffice/assisted/index.html", {"groups": groups, **caller_context(request)}
    )


@require_http_methods(["GET", "POST"])
@recording
def service_start(request: HttpRequest, slug: str) -> HttpResponse:
    """Say how the resident got in touch, then go through the service's pages."""
    service = form_views.journey_service(request, slug, ASSISTED)
    definition = form_views.start_definition(service)
    form = ChannelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        session.remember_channel(request, service, form.cleaned_data["channel"])
        return redirect(form_views.page_url(service, definition.pages[0], mode=ASSISTED))
    return render(
        request,
        "backoffice/assisted/start.html",
        {
            "service": service,
            "definition": definition,
            "form": form,
            "has_errors": bool(form.errors),
        },
    )


app_name = "assisted"
urlpatterns = [
    path("", service_index, name="index"),
    path("<slug:slug>/", service_start, name="start"),
    path(
        "<slug:slug>/questions/<slug:page_id>/",
        recording(form_views.question_page),
        {"mode": ASSISTED},
        name="page",
    ),
    path(
        "<slug:slug>/check/",
        recording(form_views.check_answers),
        {"mode": ASSISTED},
        name="check",
    ),
    path(
        "<slug:slug>/updates/",
        recording(updates_views.updates_choose),
        {"mode": ASSISTED},
        name="updates",
    ),
    path(
        "<slug:slug>/done/",
        recording(form_views.confirmation),
        {"mode": ASSISTED},
        name="done",
    ),
]
