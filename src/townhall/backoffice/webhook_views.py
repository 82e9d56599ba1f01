"""Webhooks in the back office, for the council's admins: its endpoints (add,
turn off and on, delete; the signing secret shown once, when added) and the
dead-letter list of messages given up on, to replay."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from townhall.backoffice.access import permission_required
from townhall.connectors import selectors as connector_selectors
from townhall.tenancy.permissions import Permission
from townhall.webhooks import selectors, services
from townhall.webhooks.models import Endpoint
from townhall.webhooks.payloads import EVENT_TYPES

EVENT_LABELS = {
    "case.created": gettext_lazy("A case is made"),
    "case.updated": gettext_lazy("Anything changes on a case (any of the below)"),
    "case.status_changed": gettext_lazy("A case's status changes"),
    "case.note_added": gettext_lazy("A note is added to a case"),
    "case.assigned": gettext_lazy("A case is given to a team"),
    "contact.logged": gettext_lazy("A contact about a case is logged"),
    "resident.details_changed": gettext_lazy(
        "A resident with an open case changes their address or contact details"
    ),
}


class EndpointForm(forms.Form):
    url = forms.CharField(
        label=gettext_lazy("URL"),
        max_length=500,
        help_text=gettext_lazy("Where to send the events, such as https://example.org/hooks"),
        error_messages={"required": gettext_lazy("Enter the URL to send events to")},
    )
    description = forms.CharField(
        label=gettext_lazy("Description (optional)"), max_length=200, required=False
    )
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events to send"),
        choices=[(name, format_lazy("{}: {}", name, EVENT_LABELS[name])) for name in EVENT_TYPES],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Select at least one event")},
    )


def _endpoint(request: HttpRequest, pk: int) -> Endpoint:
    endpoint = selectors.organisation_endpoint(
        organisation=request.organisation,  # type: ignore[attr-defined]
        pk=pk,
    )
    if endpoint is None:
        raise Http404
    return endpoint


@require_GET
@permission_required(Permission.ADMINISTER)
def endpoint_list(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    return render(
        request,
        "backoffice/webhooks/list.html",
        {
            "endpoints": selectors.organisation_endpoints(organisation=organisation),
            "dead_letters": len(selectors.dead_letters(organisation=organisation)),
            "polls": connector_selectors.organisation_polls(organisation=organisation),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
@permission_required(Permission.ADMINISTER)
def endpoint_new(request: HttpRequest) -> HttpResponse:
    form = EndpointForm(
        request.POST if request.method == "POST" else None, initial={"events": EVENT_TYPES}
    )
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.endpoint_add(
                organisation=request.organisation,  # type: ignore[attr-defined]
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                description=form.cleaned_data["description"],
                actor=request.user,  # type: ignore[arg-type]
            )
        except services.EndpointRefused as error:
            form.add_error("url", str(error))
        else:
            # The secret is on this page only: it is never shown again.
            return render(request, "backoffice/webhooks/created.html", {"endpoint": endpoint})
    return render(
        request,
        "backoffice/webhooks/new.html",
        {"form": form, "has_errors": bool(form.errors)},
        status=400 if form.errors else 200,
    )


@require_POST
@permission_required(Permission.ADMINISTER)
def endpoint_disable(request: HttpRequest, pk: int) -> HttpResponse:
    held = services.endpoint_disable(endpoint=_endpoint(request, pk))
    messages.success(
        request,
        _("Endpoint turned off. %(held)d message(s) waiting for it were kept to replay.")
        % {"held": held},
    )
    return redirect("backoffice:webhooks")


@require_POST
@permission_required(Permission.ADMINISTER)
def endpoint_enable(request: HttpRequest, pk: int) -> HttpResponse:
    services.endpoint_enable(endpoint=_endpoint(request, pk))
    messages.success(
        request, _("Endpoint turned on. Replay its kept messages from the list of failed messages.")
    )
    return redirect("backoffice:webhooks")


@require_http_methods(["GET", "POST"])
@permission_required(Permission.ADMINISTER)
def endpoint_delete(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    if request.method == "POST":
        dropped = services.endpoint_delete(endpoint=endpoint)
        messages.success(
            request,
            _("Endpoint deleted, with %(count)d message(s) not yet delivered to it.")
            % {"count": dropped},
        )
        return redirect("backoffice:webhooks")
    unsent = services.endpoint_deliveries(endpoint).exclude(status="sent").count()
    return render(
        request, "backoffice/webhooks/delete.html", {"endpoint": endpoint, "unsent": unsent}
    )


@require_http_methods(["GET", "POST"])
@permission_required(Permission.ADMINISTER)
def dead_letter_list(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("delivery") if v.isascii() and v.isdigit()]
        if request.POST.get("all"):
            chosen = selectors.dead_letters(organisation=organisation)
        else:
            chosen = selectors.dead_letters_by_id(organisation=organisation, ids=ids[:500])
        if not chosen:
            messages.error(request, _("Select the messages to send again."))
            return redirect("backoffice:webhook-dead-letters")
        queued = services.dead_letters_replay(organisation=organisation, deliveries=chosen)
        skipped = len(chosen) - queued
        text = _("%(queued)d message(s) queued to send again.") % {"queued": queued}
        if skipped:
            text += " " + _(
                "%(skipped)d were not, because their endpoint is turned off or deleted."
            ) % {"skipped": skipped}
        messages.success(request, text)
        return redirect("backoffice:webhook-dead-letters")
    endpoints = {e.pk: e for e in selectors.organisation_endpoints(organisation=organisation)}
    rows = [
        (delivery, endpoints.get(delivery.payload.get("endpoint_id")))
        for delivery in selectors.dead_letters(organisation=organisation)
    ]
    return render(request, "backoffice/webhooks/dead_letters.html", {"rows": rows})
