"""Contacts: an adviser logs a contact that needs no case in a few keystrokes,
and staff see the council's recent contacts."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from townhall.audit.models import AuditEntry
from townhall.audit.services import audit_record
from townhall.backoffice.access import permission_required
from townhall.backoffice.admin_views import _Echo, _safe
from townhall.backoffice.caller import caller_context
from townhall.backoffice.forms import ContactExportForm, ContactForm
from townhall.cases import contacts, selectors
from townhall.cases.models import Contact
from townhall.tenancy.permissions import Permission

PAGE_SIZE = 50
# What the list shows and the download holds of residents, for the audit log.
LIST_DATA = "contacts: channel, reason, outcome, case"
EXPORT_DATA = "contacts: channel, reason, outcome, case, notes"


@require_GET
@permission_required(Permission.RECORD_CONTACTS)
def contact_list(request: HttpRequest) -> HttpResponse:
    """The council's contacts, newest first; looking is audited."""
    return _contacts_page(request)


def _contacts_page(
    request: HttpRequest, export_form: ContactExportForm | None = None
) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    before = request.GET.get("before", "")
    rows = selectors.staff_contacts(
        organisation=organisation,
        before=int(before) if before.isascii() and before.isdigit() and len(before) < 19 else None,
        limit=PAGE_SIZE + 1,
    )
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    audit_record(
        organisation=organisation,
        actor=request.user,  # type: ignore[arg-type]
        action=AuditEntry.Action.VIEWED_CONTACTS,
        personal_data=LIST_DATA,
        detail=f"before {rows[0].pk}" if before and rows else "newest",
    )
    return render(
        request,
        "backoffice/contacts/list.html",
        {
            "contacts": rows,
            "next_before": rows[-1].pk if more else None,
            "paged": bool(before),
            "export_form": export_form or ContactExportForm(),
            "has_errors": bool(export_form and export_form.errors),
        },
        status=400 if export_form is not None else 200,
    )


EXPORT_HEADINGS = [
    "created_at",
    "channel",
    "reason",
    "outcome",
    "avoidable",
    "duration_minutes",
    "service",
    "case_reference",
    "recorded_by",
    "client",
    "note",
]


def _export_rows(contacts: Iterator[Contact]) -> Iterator[list[str]]:
    yield EXPORT_HEADINGS
    for contact in contacts:
        yield [
            contact.created_at.isoformat(),
            contact.channel,
            contact.reason,
            contact.outcome,
            "" if contact.avoidable is None else ("yes" if contact.avoidable else "no"),
            "" if contact.duration_minutes is None else str(contact.duration_minutes),
            contact.service.slug if contact.service else "",
            contact.case.reference if contact.case else "",
            contact.recorded_by.email if contact.recorded_by else "",
            contact.client,
            contact.note,
        ]


@require_GET
@permission_required(Permission.RECORD_CONTACTS)
def contact_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The council's contacts between two dates as CSV; the export is audited."""
    form = ContactExportForm(request.GET)
    if not form.is_valid():
        return _contacts_page(request, export_form=form)
    organisation = request.organisation  # type: ignore[attr-defined]
    data = form.cleaned_data
    audit_record(
        organisation=organisation,
        actor=request.user,  # type: ignore[arg-type]
        action=AuditEntry.Action.EXPORTED,
        personal_data=EXPORT_DATA,
        detail=f"contacts: {data['date_from'] or 'start'} to {data['date_to'] or 'now'}",
    )
    contacts = selectors.contacts_for_export(
        organisation=organisation, date_from=data["date_from"], date_to=data["date_to"]
    ).iterator(chunk_size=2000)
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow([_safe(cell) for cell in row]) for row in _export_rows(contacts)),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="contacts-{stamp}.csv"'
    return response


@require_http_methods(["GET", "POST"])
@permission_required(Permission.RECORD_CONTACTS)
def contact_new(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    form = ContactForm(
        request.POST if request.method == "POST" else None, organisation=organisation
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            contact = contacts.contact_log(
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
            audit_record(
                organisation=organisation,
                actor=request.user,  # type: ignore[arg-type]
                action=AuditEntry.Action.RECORDED_CONTACT,
                case_reference=contact.case.reference if contact.case else "",
                detail=f"{contact.channel}, {contact.reason}",
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
