"""Caseworking actions on one case: assign, priority, reopen, merge as a
duplicate, follow, and photo thumbnails. Each action is a POST that names the
version of the case the member of staff saw; if someone changed it since,
nothing is written and the page says so (409)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from townhall.audit.models import AuditEntry
from townhall.backoffice import staff_lists
from townhall.backoffice.access import permission_required
from townhall.backoffice.case_page import CHANGED
from townhall.backoffice.queue_forms import (
    AssignForm,
    MergeForm,
    PriorityForm,
    ReopenForm,
    TransferForm,
)
from townhall.backoffice.views import _audit, _case, _render_case
from townhall.cases import casework, selectors, thumbnails
from townhall.cases.models import Case
from townhall.tenancy.models import Organisation
from townhall.tenancy.permissions import Permission


def _act(
    request: HttpRequest,
    case: Case,
    form: Any,
    action: Callable[[dict[str, Any]], object],
    done: str,
    form_key: str,
    audit: tuple[str, Callable[[dict[str, Any]], str]],
) -> HttpResponse:
    """Run a caseworking action from its form, and write it to the audit log
    in the same transaction (kept or lost together)."""
    if not form.is_valid():
        return _render_case(request, case, forms={form_key: form}, status=400)
    audit_action, detail = audit
    try:
        with transaction.atomic():
            action(form.cleaned_data)
            _audit(request, case, audit_action, detail=detail(form.cleaned_data))
    except casework.CaseChanged:
        return _render_case(request, case, changed_message=str(CHANGED), status=409)
    except casework.ActionRefused as refusal:
        form.add_error(None, str(refusal))
        return _render_case(request, case, forms={form_key: form}, status=409)
    messages.success(request, done)
    return redirect("backoffice:case", reference=case.reference)


@require_POST
@permission_required(Permission.CHANGE_CASES)
def case_assign(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    lists = staff_lists.load(organisation=case.organisation, user=request.user)
    form = AssignForm(request.POST, **lists.assign_choices())
    return _act(
        request,
        case,
        form,
        lambda data: casework.case_assign(
            case=case,
            actor=request.user,  # type: ignore[arg-type]
            assignee=lists.staff_by_id.get(data["assignee"]),
            team=lists.team_by_id.get(data["team"]),
            expected_version=data["version"],
        ),
        _("Case assigned."),
        "assign",
        (
            AuditEntry.Action.ASSIGNED,
            lambda data: f"team: {data['team'] or '-'}, person: {data['assignee'] or '-'}",
        ),
    )


@require_POST
@permission_required(Permission.CHANGE_CASES)
def case_priority(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    return _act(
        request,
        case,
        PriorityForm(request.POST),
        lambda data: casework.case_set_priority(
            case=case,
            actor=request.user,  # type: ignore[arg-type]
            priority=data["priority"],
            expected_version=data["version"],
        ),
        _("Priority changed."),
        "priority",
        (AuditEntry.Action.CHANGED_PRIORITY, lambda data: data["priority"]),
    )


@require_POST
@permission_required(Permission.CHANGE_CASES)
def case_reopen(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    return _act(
        request,
        case,
        ReopenForm(request.POST),
        lambda data: casework.case_reopen(
            case=case,
            actor=request.user,  # type: ignore[arg-type]
            internal_note=data["internal_note"],
            expected_version=data["version"],
        ),
        _("Case reopened."),
        "reopen",
        (AuditEntry.Action.REOPENED, lambda data: ""),
    )


@require_POST
@permission_required(Permission.CHANGE_CASES)
def case_merge(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    form = MergeForm(request.POST)

    def merge(data: dict[str, Any]) -> object:
        into = selectors.staff_case(organisation=case.organisation, reference=data["into"])
        if into is None:
            raise casework.ActionRefused(_("No case of your council has that reference"))
        return casework.case_merge(
            case=case,
            into=into,
            actor=request.user,  # type: ignore[arg-type]
            expected_version=data["version"],
        )

    return _act(
        request,
        case,
        form,
        merge,
        _("Case merged as a duplicate."),
        "merge",
        (AuditEntry.Action.MERGED, lambda data: f"into {data['into']}"),
    )


def other_councils(organisation: Organisation) -> list[Organisation]:
    """The councils on this installation a case may be passed to."""
    return list(Organisation.objects.exclude(pk=organisation.pk).order_by("name"))


@require_POST
@permission_required(Permission.CHANGE_CASES)
def case_transfer(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    councils = {c.slug: c for c in other_councils(case.organisation)}
    form = TransferForm(request.POST, councils=[(s, c.name) for s, c in councils.items()])
    if not form.is_valid():
        return _render_case(request, case, forms={"transfer": form}, status=400)
    target = councils[form.cleaned_data["organisation"]]
    told = form.cleaned_data["public_message"] or _(
        "Your request has been passed to %(council)s, who will deal with it from now on."
    ) % {"council": target.name}
    try:
        with transaction.atomic():
            # Audited in the council that had it: the case is the other's after.
            _audit(request, case, AuditEntry.Action.TRANSFERRED, detail=f"to {target.slug}")
            casework.case_transfer(
                case=case,
                actor=request.user,  # type: ignore[arg-type]
                organisation=target,
                public_message=told,
                expected_version=form.cleaned_data["version"],
            )
    except casework.CaseChanged:
        return _render_case(request, case, changed_message=str(CHANGED), status=409)
    except casework.ActionRefused as refusal:
        form.add_error("organisation", str(refusal))
        return _render_case(request, case, forms={"transfer": form}, status=409)
    messages.success(
        request,
        _("%(reference)s was passed to %(council)s. It is no longer in your queues.")
        % {"reference": case.reference, "council": target.name},
    )
    return redirect("backoffice:queue")


@require_POST
@permission_required(Permission.VIEW_CASES)
def case_follow(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    follow = request.POST.get("follow") != "no"
    with transaction.atomic():
        casework.case_follow(case=case, user=request.user, follow=follow)  # type: ignore[arg-type]
        _audit(request, case, AuditEntry.Action.FOLLOWED, detail="follow" if follow else "unfollow")
    messages.success(
        request, _("You are following this case.") if follow else _("You no longer follow it.")
    )
    return redirect("backoffice:case", reference=case.reference)


@require_GET
@permission_required(Permission.VIEW_CASES)
def case_thumbnail(request: HttpRequest, reference: str, attachment_id: UUID) -> HttpResponse:
    """A small JPEG of a photo the resident sent, made on first request."""
    case = _case(request, reference)
    attachment = case.attachments.filter(pk=attachment_id).first()
    if attachment is None or not thumbnails.is_image(attachment.content_type):
        raise Http404("No such photo")
    data = thumbnails.thumbnail_bytes(attachment)
    if data is None:
        raise Http404("The photo cannot be shown")
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response
