"""The staff queues: mine, my teams', unassigned, overdue, recently updated,
closed and all open cases, with filters, search, saved filters, keyset pages
and bulk actions. Every query is scoped to the member of staff's council and
a page costs the same number of queries whatever its filters or depth."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from townhall.audit.models import AuditEntry
from townhall.audit.services import audit_record
from townhall.backoffice import staff_lists
from townhall.backoffice.access import can, permission_required
from townhall.backoffice.queue_forms import (
    QUEUE_LABELS,
    BulkForm,
    QueueFilterForm,
    SavedFilterForm,
)
from townhall.cases import casework, selectors, sla
from townhall.cases import search as case_search
from townhall.cases.models import Case, SavedFilter
from townhall.cases.queues import (
    COUNT_CAP,
    ORDERING,
    TEXT_COUNT_CAP,
    Filters,
    QueueName,
    queue_cases,
    queue_page,
)
from townhall.cases.references import parse_reference
from townhall.catalogue.engine.validation import CONTROL_CHARACTERS
from townhall.tenancy.models import Organisation
from townhall.tenancy.permissions import Permission

FILTER_KEYS = (
    "queue",
    "q",
    "service",
    "status",
    "team",
    "assignee",
    "area",
    "channel",
    "priority",
    "created_from",
    "created_to",
    "updated_from",
    "updated_to",
)
BULK_LIMIT = 200
URGENT = frozenset({"high", "urgent"})


def _queue_name(params: QueryDict) -> QueueName:
    value = params.get("queue", "")
    if not value and params.get("show") == "closed":  # the earlier queue's link
        return QueueName.CLOSED
    return QueueName(value) if value in QueueName._value2member_map_ else QueueName.OPEN


def _filters(form: QueueFilterForm, lists: staff_lists.StaffLists) -> Filters:
    data = form.cleaned_data if form.is_valid() else {}
    typed = CONTROL_CHARACTERS.sub("", data.get("q", "") or "")
    return Filters(
        service=lists.service_by_id.get(data.get("service", "")),
        status=data.get("status", ""),
        team=lists.team_by_id.get(data.get("team", "")),
        assignee=lists.staff_by_id.get(data.get("assignee", "")),
        area=data.get("area", ""),
        channel=data.get("channel", ""),
        priority=data.get("priority", ""),
        created_from=data.get("created_from"),
        created_to=data.get("created_to"),
        updated_from=data.get("updated_from"),
        updated_to=data.get("updated_to"),
        search=case_search.understand(typed),
    )


def _day(moment: datetime | None) -> str:
    return date_format(timezone.localtime(moment), "j M Y") if moment else ""


def queue_rows(
    cases: list[Case], *, closed: bool, organisation: Organisation
) -> list[dict[str, Any]]:
    """What each row of the queue shows, worked out here rather than in the
    template (which costs far more per row)."""
    now = timezone.now()
    soon_until = sla.due_soon_until(organisation=organisation, now=now)
    template = reverse("backoffice:case", args=["ZZZZZ-0000-00000000"])
    return [
        {
            "reference": case.reference,
            "url": template.replace("ZZZZZ-0000-00000000", case.reference),
            "service": case.service.name,
            "summary": Truncator(case.summary).chars(80),
            "urgent": case.get_priority_display() if case.priority in URGENT else "",
            "status": selectors.status_label(case, public=False),
            "team": case.team.name if case.team else "",
            "assignee": (case.assignee.get_full_name() or case.assignee.email)
            if case.assignee
            else "",
            "received": _day(case.created_at),
            "channel": case.get_channel_display(),
            "due": _day(case.closed_at if closed else case.due_at),
            "sla": sla.sla_state(
                case.due_at, is_open=not closed and case.is_open, now=now, soon_until=soon_until
            ),
            "version": case.version,
        }
        for case in cases
    ]


def _query(params: QueryDict, **changes: Any) -> str:
    kept = {key: params[key] for key in FILTER_KEYS if params.get(key)}
    kept.update({k: v for k, v in changes.items() if v})
    return urlencode(kept)


@require_GET
@permission_required(Permission.VIEW_CASES)
def queue(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    user = request.user
    typed = CONTROL_CHARACTERS.sub("", request.GET.get("q", "")).strip()[:100]
    asked = CONTROL_CHARACTERS.sub("", request.GET.get("reference", "")).strip()[:100]
    # A reference goes straight to its case; one that is no case of the
    # council's is said so (any text in the `reference` box, a reference in `q`).
    not_found = ""
    for wanted, always in ((asked, True), (typed, False)):
        if not wanted:
            continue
        found = selectors.staff_case(organisation=organisation, reference=wanted)
        if found is not None:
            return redirect("backoffice:case", reference=found.reference)
        if always or parse_reference(wanted) is not None:
            not_found = wanted
    lists = staff_lists.load(organisation=organisation, user=user)
    name = _queue_name(request.GET)
    form = QueueFilterForm(request.GET or None, **lists.choices())
    filters = _filters(form, lists)
    after = request.GET.get("after", "")
    cases = queue_cases(
        organisation=organisation,
        queue=name,
        user=user,  # type: ignore[arg-type]
        user_teams=lists.my_teams,
        filters=filters,
    )
    column = ORDERING[name][0]
    dated = {
        "created_at": filters.created_from or filters.created_to,
        "updated_at": filters.updated_from or filters.updated_to,
    }
    page = queue_page(
        cases,
        queue=name,
        by_sort=any(day for other, day in dated.items() if other != column),
        count_cap=TEXT_COUNT_CAP
        if filters.search is not None and filters.search.kind == "text"
        else COUNT_CAP,
        after=int(after) if after.isascii() and after.isdigit() and len(after) < 19 else None,
    )
    rows = queue_rows(page.cases, closed=name == QueueName.CLOSED, organisation=organisation)
    return render(
        request,
        "backoffice/queue.html",
        {
            "queue": name,
            "queue_label": QUEUE_LABELS[name],
            "queues": [
                (q, label, _query(QueryDict(), queue=q.value)) for q, label in QUEUE_LABELS.items()
            ],
            "form": form,
            "rows": rows,
            "page": page,
            "count_cap": page.cap,
            "next_query": _query(request.GET, after=str(page.next_after or "")),
            "first_query": _query(request.GET),
            "paged": bool(after),
            "search": filters.search,
            "saved": lists.saved_filters,
            "save_form": SavedFilterForm(),
            "current_query": _query(request.GET),
            "no_team": name == QueueName.TEAM and not lists.my_teams,
            "can_change": can(request, Permission.CHANGE_CASES),
            "bulk_form": BulkForm(references=[], **lists.assign_choices()),
            "not_found": not_found,
            "has_errors": bool(form.errors or not_found),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@permission_required(Permission.VIEW_CASES)
def saved_filter_create(request: HttpRequest) -> HttpResponse:
    """Save the queue's current filters (posted as `query`) under a name."""
    organisation = request.organisation  # type: ignore[attr-defined]
    form = SavedFilterForm(request.POST)
    query = _query(QueryDict(request.POST.get("query", "")[:1000]))
    if not form.is_valid() or not query:
        messages.error(request, _("Enter a name, and choose some filters to save."))
        return redirect(reverse("backoffice:queue") + (f"?{query}" if query else ""))
    # The same name saved twice at once: the other one stands.
    with contextlib.suppress(IntegrityError):
        SavedFilter.objects.update_or_create(
            user=request.user,  # type: ignore[misc]
            organisation=organisation,
            name=form.cleaned_data["name"],
            defaults={"query": query},
        )
    messages.success(request, _("Filters saved."))
    return redirect(reverse("backoffice:queue") + f"?{query}")


@require_POST
@permission_required(Permission.VIEW_CASES)
def saved_filter_delete(request: HttpRequest, pk: int) -> HttpResponse:
    SavedFilter.objects.filter(
        pk=pk,
        user=request.user,  # type: ignore[misc]
        organisation=request.organisation,  # type: ignore[attr-defined]
    ).delete()
    messages.success(request, _("Saved filters removed."))
    return redirect("backoffice:queue")


@require_POST
@permission_required(Permission.CHANGE_CASES)
def bulk_action(request: HttpRequest) -> HttpResponse:
    """Assign, or set the priority of, the cases ticked in the queue. Each case
    is changed only if it is still the version the queue showed (posted as
    `version-<reference>`); the others are left alone and named."""
    organisation = request.organisation  # type: ignore[attr-defined]
    lists = staff_lists.load(organisation=organisation, user=request.user)
    references = request.POST.getlist("cases")[:BULK_LIMIT]
    form = BulkForm(request.POST, references=references, **lists.assign_choices())
    back = reverse("backoffice:queue") + "?" + _query(QueryDict(request.POST.get("query", "")))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    data = form.cleaned_data
    if data["action"] == "priority" and not data["priority"]:
        messages.error(request, _("Choose the priority to set"))
        return redirect(back)
    cases = list(
        Case.objects.for_organisation(organisation)
        .filter(reference__in=data["cases"])
        .select_related("team")
        .order_by("pk")
    )
    outcome = _bulk_apply(request, cases, data, lists)
    _bulk_report(request, outcome, missing=len(set(data["cases"])) - len(cases))
    return redirect(back)


def _seen_version(request: HttpRequest, reference: str) -> int | None:
    value = request.POST.get(f"version-{reference}", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


def _bulk_apply(
    request: HttpRequest,
    cases: list[Case],
    data: dict[str, Any],
    lists: staff_lists.StaffLists,
) -> dict[str, list[str]]:
    """Change each case in its own transaction, with its audit entry."""
    outcome: dict[str, list[str]] = {"changed": [], "stale": [], "refused": []}
    for case in cases:
        seen = _seen_version(request, case.reference)
        if seen is None:
            outcome["stale"].append(case.reference)  # no version: cannot tell, so leave it
            continue
        try:
            with transaction.atomic():
                if data["action"] == "assign":
                    casework.case_assign(
                        case=case,
                        actor=request.user,  # type: ignore[arg-type]
                        assignee=lists.staff_by_id.get(data["assignee"]),
                        team=lists.team_by_id.get(data["team"]),
                        expected_version=seen,
                    )
                    action = AuditEntry.Action.ASSIGNED
                    detail = f"team: {data['team'] or '-'}, person: {data['assignee'] or '-'}"
                else:
                    casework.case_set_priority(
                        case=case,
                        actor=request.user,  # type: ignore[arg-type]
                        priority=data["priority"],
                        expected_version=seen,
                    )
                    action, detail = AuditEntry.Action.CHANGED_PRIORITY, data["priority"]
                audit_record(
                    organisation=case.organisation,
                    actor=request.user,  # type: ignore[arg-type]
                    action=action,
                    case_reference=case.reference,
                    detail=f"bulk: {detail}",
                )
        except casework.CaseChanged:
            outcome["stale"].append(case.reference)
        except casework.ActionRefused:
            outcome["refused"].append(case.reference)
        else:
            outcome["changed"].append(case.reference)
    return outcome


def _bulk_report(request: HttpRequest, outcome: dict[str, list[str]], *, missing: int) -> None:
    changed, stale, refused = outcome["changed"], outcome["stale"], outcome["refused"]
    if changed:
        messages.success(
            request,
            ngettext("%(count)s case changed.", "%(count)s cases changed.", len(changed))
            % {"count": len(changed)},
        )
    if stale:
        messages.error(
            request,
            _(
                "Someone else changed these cases after you loaded the list, so they were "
                "left as they are: %(references)s. Check them and try again."
            )
            % {"references": ", ".join(stale)},
        )
    if refused:
        messages.error(
            request,
            _("These cases could not be changed: %(references)s.")
            % {"references": ", ".join(refused)},
        )
    if missing > 0:
        messages.error(
            request,
            ngettext("%(count)s case was not found.", "%(count)s cases were not found.", missing)
            % {"count": missing},
        )
