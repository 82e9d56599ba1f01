"""The staff back office: the council's queue, a case, and changing its status."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from townhall.audit.models import AuditEntry
from townhall.audit.services import CASE_PAGE_DATA, audit_record
from townhall.backoffice import case_page
from townhall.backoffice.access import can, permission_required
from townhall.backoffice.forms import NoteForm, StatusForm
from townhall.backoffice.message_views import choose_form_for, resend_form_for
from townhall.cases import casework, selectors, services
from townhall.cases.conditions import condition_context
from townhall.cases.models import Attachment, Case, CaseEvent, Channel, Contact
from townhall.catalogue.engine import flow
from townhall.connectors import selectors as connector_selectors
from townhall.connectors import services as connector_services
from townhall.tenancy.permissions import Permission
from townhall.web.forms import UpdatesForm


def _case(request: HttpRequest, reference: str) -> Case:
    case = selectors.staff_case(organisation=request.organisation, reference=reference)  # type: ignore[attr-defined]
    if case is None:
        raise Http404("No such case")
    return case


def _contact_labels(event: CaseEvent) -> tuple[str, str] | None:
    """A logged contact's channel and reason, as staff read them."""
    if event.kind != CaseEvent.Kind.CONTACT_LOGGED:
        return None
    channel, reason = event.payload.get("channel", ""), event.payload.get("reason", "")
    return (
        str(Channel(channel).label) if channel in Channel.values else channel,
        str(Contact.Reason(reason).label) if reason in Contact.Reason.values else reason,
    )


def _render_case(
    request: HttpRequest,
    case: Case,
    *,
    status_form: StatusForm | None = None,
    note_form: NoteForm | None = None,
    forms: dict[str, Any] | None = None,
    changed_message: str = "",
    resend_form: UpdatesForm | None = None,
    updates_form: UpdatesForm | None = None,
    status: int = 200,
) -> HttpResponse:
    definition = case.service_version.parsed
    resident_messages = list(selectors.case_messages(case))
    # The latest message that did not reach the resident, if staff can send it another way.
    undelivered = next(
        (m for m in reversed(resident_messages) if m.undelivered and m.event_id), None
    )
    next_states = definition.workflow.next_states(case.status)
    templates = casework.response_templates(case=case)
    events = [
        (
            event,
            definition.workflow.state(event.from_status).label if event.from_status else "",
            definition.workflow.state(event.to_status).label if event.to_status else "",
            _contact_labels(event),
        )
        for event in case.events.select_related("actor")
    ]
    context: dict[str, Any] = {
        "case": case,
        "definition": definition,
        "status_label": definition.workflow.state(case.status).label,
        "rows": flow.summary(
            definition,
            case.answers,
            context=condition_context(organisation=case.organisation),
        ),
        "events": events,
        "account_closed": any(e[0].kind == CaseEvent.Kind.ACCOUNT_CLOSED for e in events),
        "emails": selectors.case_emails(case),
        "destinations": connector_selectors.case_destinations(case),
        "resident_messages": resident_messages,
        "undelivered": undelivered,
        "resend_form": resend_form or (undelivered and resend_form_for(case)),
        "updates_form": updates_form or choose_form_for(case),
        "messages_held_up": selectors.case_messages_held_up(case),
        "status_form": status_form or StatusForm(next_states=next_states, templates=templates),
        "responses": [
            (t, casework.response_fill(template=t, case=case, to_state=t.state)) for t in templates
        ],
        "note_form": note_form or NoteForm(),
        "next_states": next_states,
        "can_change": can(request, Permission.CHANGE_CASES),
        "changed_message": changed_message,
    }
    context.update(case_page.extras(request, case, forms or {}))
    return render(request, "backoffice/case.html", context, status=status)


@require_GET
@permission_required(Permission.VIEW_CASES)
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    _audit(request, case, AuditEntry.Action.VIEWED_CASE, personal_data=CASE_PAGE_DATA)
    return _render_case(request, case)


def _audit(request: HttpRequest, case: Case, action: str, **fields: str) -> None:
    """Record in the audit log that the signed-in member of staff did `action` to `case`."""
    audit_record(
        organisation=case.organisation,
        actor=request.user,  # type: ignore[arg-type]
        action=action,
        case_reference=case.reference,
        **fields,
    )


@contextmanager
def _photo_kept_with_change(stored: list[str]) -> Iterator[None]:
    """Delete the files of photos stored inside the block if it fails: their
    rows roll back with the change, their files would be left behind."""
    try:
        yield
    except BaseException:
        storage = Attachment._meta.get_field("file").storage
        services.files_delete(storage=storage, names=stored)
        raise


def _photo_payload(
    request: HttpRequest, case: Case, photo: Any, stored: list[str]
) -> dict[str, Any]:
    """What the timeline event records of a photo the member of staff took, if any."""
    if not photo:
        return {}
    actor = request.user
    return {"photo": services.case_photo_add(case=case, actor=actor, upload=photo, stored=stored)}  # type: ignore[arg-type]


@require_POST
@permission_required(Permission.CHANGE_CASES)
def case_status(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    next_states = case.service_version.parsed.workflow.next_states(case.status)
    form = StatusForm(
        request.POST,
        request.FILES,
        next_states=next_states,
        templates=casework.response_templates(case=case),
    )
    if not form.is_valid():
        return _render_case(request, case, status_form=form, status=400)
    public_message = form.cleaned_data["public_message"]
    if not public_message and form.cleaned_data["response_template"] is not None:
        public_message = casework.response_fill(
            template=form.cleaned_data["response_template"],
            case=case,
            to_state=form.cleaned_data["status"],
        )
    stored: list[str] = []
    try:
        # The change, its photo and its audit entry are kept or lost together.
        with _photo_kept_with_change(stored), transaction.atomic():
            services.case_transition(
                case=case,
                to_status=form.cleaned_data["status"],
                actor=request.user,  # type: ignore[arg-type]
                public_message=public_message,
                internal_note=form.cleaned_data["internal_note"],
                payload=_photo_payload(request, case, form.cleaned_data.get("photo"), stored),
                expected_version=form.cleaned_data.get("version"),
            )
            _audit(
                request, case, AuditEntry.Action.CHANGED_STATUS, detail=form.cleaned_data["status"]
            )
    except services.CaseChanged:
        # What was typed stays in the form (a chosen photo cannot: the page says so).
        return _render_case(
            request,
            case,
            status_form=form,
            changed_message=str(case_page.CHANGED),
            status=409,
        )
    except services.TransitionRefused as refusal:
        form.add_error("status", str(refusal))
        return _render_case(request, case, status_form=form, status=409)
    if case.updates_stopped_at or case.updates_by == "none":
        messages.success(request, _("Status updated."))
    elif case.updates_by in ("sms", "letter"):
        messages.success(request, _("Status updated. The resident will be told about it."))
    elif case.contact_email:
        messages.success(request, _("Status updated. The resident will be emailed about it."))
    else:
        messages.success(request, _("Status updated."))
    return redirect("backoffice:case", reference=case.reference)


@require_POST
@permission_required(Permission.CHANGE_CASES)
def case_note(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    form = NoteForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_case(request, case, note_form=form, status=400)
    photo = form.cleaned_data.get("photo")
    stored: list[str] = []
    with _photo_kept_with_change(stored), transaction.atomic():
        services.case_add_note(
            case=case,
            actor=request.user,  # type: ignore[arg-type]
            note=form.cleaned_data["note"],
            payload=_photo_payload(request, case, photo, stored),
        )
        _audit(
            request,
            case,
            AuditEntry.Action.ADDED_NOTE,
            personal_data="internal note, photo" if photo else "internal note",
        )
    messages.success(request, _("Note and photo added.") if photo else _("Note added."))
    return redirect("backoffice:case", reference=case.reference)


@require_GET
@permission_required(Permission.VIEW_CASES)
def case_attachment(request: HttpRequest, reference: str, attachment_id: UUID) -> FileResponse:
    case = _case(request, reference)
    attachment = case.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404("No such file")
    _audit(
        request,
        case,
        AuditEntry.Action.DOWNLOADED_FILE,
        personal_data="uploaded file",
        detail=str(attachment.pk),
    )
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )


@require_POST
@permission_required(Permission.CHANGE_CASES)
def case_resend(request: HttpRequest, reference: str, delivery_id: int) -> HttpResponse:
    case = _case(request, reference)
    with transaction.atomic():
        resent = connector_services.destination_resend(case=case, delivery_id=delivery_id)
        if resent:
            _audit(request, case, AuditEntry.Action.RESENT_CASE, detail=str(delivery_id))
    if resent:
        messages.success(request, _("The case will be sent again."))
    else:
        messages.error(request, _("That system has the case already, or it is being sent now."))
    return redirect("backoffice:case", reference=case.reference)
