"""The staff back office: the council's queue, a case, and changing its status."""

from __future__ import annotations

from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from townhall.audit.models import AuditEntry
from townhall.audit.services import CASE_PAGE_DATA, audit_record
from townhall.backoffice.access import can, permission_required
from townhall.backoffice.forms import NoteForm, StatusForm
from townhall.cases import selectors, services
from townhall.cases.conditions import condition_context
from townhall.cases.models import Case, CaseEvent, Channel, Contact
from townhall.catalogue.engine import flow
from townhall.catalogue.engine.validation import CONTROL_CHARACTERS
from townhall.tenancy.models import Team
from townhall.tenancy.permissions import Permission

# Longer than any reference typed with spaces; a longer search is cut to this.
SEARCH_LENGTH = 100


def _case(request: HttpRequest, reference: str) -> Case:
    case = selectors.staff_case(organisation=request.organisation, reference=reference)  # type: ignore[attr-defined]
    if case is None:
        raise Http404("No such case")
    return case


@require_GET
@permission_required(Permission.VIEW_CASES)
def queue(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    # Shown back in the search box if no case has it: without control characters.
    wanted = CONTROL_CHARACTERS.sub("", request.GET.get("reference", ""))[:SEARCH_LENGTH].strip()
    if wanted:
        found = selectors.staff_case(organisation=organisation, reference=wanted)
        if found is not None:
            return redirect("backoffice:case", reference=found.reference)
    teams = list(Team.objects.for_organisation(organisation))
    team = next((t for t in teams if t.slug == request.GET.get("team")), None)
    closed = request.GET.get("show") == "closed"
    cases = selectors.staff_queue(organisation=organisation, team=team, closed=closed)
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    filters = urlencode(
        {
            key: value
            for key, value in [("team", team and team.slug), ("show", closed and "closed")]
            if value
        }
    )
    now = timezone.now()
    rows = [
        (case, selectors.status_label(case, public=False), bool(case.due_at and case.due_at < now))
        for case in page
    ]
    return render(
        request,
        "backoffice/queue.html",
        {
            "page": page,
            "rows": rows,
            "teams": teams,
            "team": team,
            "closed": closed,
            "filters": filters,
            "not_found": wanted,
            "has_errors": bool(wanted),
        },
    )


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
    status: int = 200,
) -> HttpResponse:
    definition = case.service_version.parsed
    next_states = definition.workflow.next_states(case.status)
    events = [
        (
            event,
            definition.workflow.state(event.from_status).label if event.from_status else "",
            definition.workflow.state(event.to_status).label if event.to_status else "",
            _contact_labels(event),
        )
        for event in case.events.select_related("actor")
    ]
    return render(
        request,
        "backoffice/case.html",
        {
            "case": case,
            "definition": definition,
            "status_label": definition.workflow.state(case.status).label,
            "rows": flow.summary(
                definition,
                case.answers,
                context=condition_context(organisation=case.organisation),
            ),
            "events": events,
            "emails": selectors.case_emails(case),
            "messages_held_up": selectors.case_messages_held_up(case),
            "status_form": status_form or StatusForm(next_states=next_states),
            "note_form": note_form or NoteForm(),
            "next_states": next_states,
            "can_change": can(request, Permission.CHANGE_CASES),
        },
        status=status,
    )


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


@require_POST
@permission_required(Permission.CHANGE_CASES)
def case_status(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    next_states = case.service_version.parsed.workflow.next_states(case.status)
    form = StatusForm(request.POST, next_states=next_states)
    if not form.is_valid():
        return _render_case(request, case, status_form=form, status=400)
    try:
        # The change and its audit entry are kept or lost together.
        with transaction.atomic():
            services.case_transition(
                case=case,
                to_status=form.cleaned_data["status"],
                actor=request.user,  # type: ignore[arg-type]
                public_message=form.cleaned_data["public_message"],
                internal_note=form.cleaned_data["internal_note"],
            )
            _audit(
                request, case, AuditEntry.Action.CHANGED_STATUS, detail=form.cleaned_data["status"]
            )
    except services.TransitionRefused as refusal:
        form.add_error("status", str(refusal))
        return _render_case(request, case, status_form=form, status=409)
    if case.contact_email:
        messages.success(request, _("Status updated. The resident will be emailed about it."))
    else:
        messages.success(request, _("Status updated."))
    return redirect("backoffice:case", reference=case.reference)


@require_POST
@permission_required(Permission.CHANGE_CASES)
def case_note(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _render_case(request, case, note_form=form, status=400)
    with transaction.atomic():
        services.case_add_note(case=case, actor=request.user, note=form.cleaned_data["note"])  # type: ignore[arg-type]
        _audit(request, case, AuditEntry.Action.ADDED_NOTE, personal_data="internal note")
    messages.success(request, _("Note added."))
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
