"""Contacts: an adviser logs a contact that needs no case in a few keystrokes,
and staff see the council's recent contacts."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from townhall.backoffice.access import permission_required
from townhall.backoffice.caller import caller_context
from townhall.backoffice.forms import ContactForm
from townhall.cases import contacts, selectors
from townhall.tenancy.permissions import Permission

PAGE_SIZE = 50


@require_GET
@permission_required(Permission.RECORD_CONTACTS)
def contact_list(request: HttpRequest) -> HttpResponse:
    before = request.GET.get("before", "")
    rows = selectors.staff_contacts(
        organisation=request.organisation,  # type: ignore[attr-defined]
        before=int(before) if before.isascii() and before.isdigit() and len(before) < 19 else None,
        limit=PAGE_SIZE + 1,
    )
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return render(
        request,
        "backoffice/contacts/list.html",
        {"contacts": rows, "next_before": rows[-1].pk if more else None, "paged": bool(before)},
    )


@require_http_methods(["GET", "POST"])
@permission_required(Permission.RECORD_CONTACTS)
def contact_new(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    form = ContactForm(
        request.POST if request.method == "POST" else None, organisation=organisation
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        contacts.contact_log(
            organisation=organisation,
            channel=data["channel"],
            reason=data["reason"],
            outcome=data["outcome"],
            actor=request.user,  # type: ignore[arg-type]
            service=data["service"],
            case=data["reference"],
            avoidable=data["avoidable"],
            duration_minutes=data["duration_minutes"],
            note=data["note"],
        )
        messages.success(request, _("Contact logged."))
        return redirect("backoffice:contacts")
    return render(
        request,
        "backoffice/contacts/new.html",
        {
            "form": form,
            "has_errors": bool(form.errors),
            "assisted_url": reverse("assisted:index"),
            **caller_context(request),
        },
        status=400 if form.errors else 200,
    )
