"""What the case page shows beyond the answers and the status form: its
location's areas, photos, contacts, every message sent, related cases (the
same resident, the same postcode), followers, and the caseworking forms
(assign, priority, reopen, merge). A fixed number of queries per page."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext

from townhall.backoffice import staff_lists
from townhall.backoffice.queue_forms import (
    AssignForm,
    MergeForm,
    PriorityForm,
    ReopenForm,
    TransferForm,
)
from townhall.cases import sla, thumbnails
from townhall.cases.models import Case, CaseFollower
from townhall.catalogue.place_routing import service_for_place
from townhall.places.models import Area
from townhall.tenancy.models import Organisation

RELATED_LIMIT = 10
CHANGED = gettext_lazy(
    "Someone else changed this case while you were looking at it. Nothing was saved: "
    "check what changed below, then make your change again."
)


def related_cases(case: Case) -> tuple[list[Case], list[Case]]:
    """Other cases of the same resident (same email or phone) and open cases
    at the same postcode (possible duplicates), newest first."""
    others = (
        Case.objects.for_organisation(case.organisation)
        .exclude(pk=case.pk)
        .select_related("service")
        .only("reference", "summary", "status", "is_open", "created_at", "service__name")
        .order_by("-created_at", "-pk")
    )
    same = Q()
    if case.search_email:
        same |= Q(search_email=case.search_email)
    if case.search_phone:
        same |= Q(search_phone=case.search_phone)
    resident = list(others.filter(same)[:RELATED_LIMIT]) if same else []
    nearby = (
        list(others.open().filter(search_postcode=case.search_postcode)[:RELATED_LIMIT])
        if case.search_postcode
        else []
    )
    return resident, [c for c in nearby if c not in resident]


def routed_council(case: Case, areas: list[Area]) -> Organisation | None:
    """The other council the routing table (or the areas' councils) gives the
    case's place and service to, if any: the transfer form suggests it."""
    if not areas:
        return None
    councils = list(Organisation.objects.all())
    answer = service_for_place(organisations=councils, slug=case.service.slug, areas=areas)
    if answer.service is None or answer.service.organisation_id == case.organisation_id:
        return None
    return answer.service.organisation


def extras(request: HttpRequest, case: Case, forms: dict[str, Any]) -> dict[str, Any]:
    lists = staff_lists.load(organisation=case.organisation, user=request.user)
    choices = lists.assign_choices()
    initial = {"version": case.version}
    resident, nearby = related_cases(case)
    followers = list(CaseFollower.objects.filter(case=case).select_related("user"))
    attachments = list(case.attachments.all())
    areas = (
        list(
            Area.objects.filter(code__in=case.area_codes).defer("geometry").order_by("type", "name")
        )
        if case.area_codes
        else []
    )
    routed = routed_council(case, areas) if case.is_open else None
    return {
        "assign_form": forms.get("assign")
        or AssignForm(
            initial={
                **initial,
                "team": case.team.slug if case.team else "",
                "assignee": str(case.assignee_id or ""),
            },
            **choices,
        ),
        "priority_form": forms.get("priority")
        or PriorityForm(initial={**initial, "priority": case.priority}),
        "reopen_form": forms.get("reopen") or ReopenForm(initial=initial),
        "merge_form": forms.get("merge") or MergeForm(initial=initial),
        "transfer_form": forms.get("transfer")
        or TransferForm(
            initial={**initial, "organisation": routed.slug if routed else ""},
            councils=[
                (c.slug, c.name)
                for c in Organisation.objects.exclude(pk=case.organisation_id).order_by("name")
            ],
        ),
        "areas": [{"code": a.code, "name": a.name, "type": a.type} for a in areas],
        "routed_council": routed,
        "photos": {str(a.pk) for a in attachments if thumbnails.is_image(a.content_type)},
        "contacts": list(case.contacts.select_related("recorded_by").order_by("created_at", "pk")),
        "resident_cases": resident,
        "nearby_cases": nearby,
        "followers": followers,
        "following": any(f.user_id == request.user.pk for f in followers),
        "duplicates": list(case.duplicates.only("reference")),
        "merged_into": case.merged_into,
        "action_forms_with_errors": [form for form in forms.values() if form.errors],
        "sla": _sla(case),
        "sla_paused": sla_paused_text(case),
    }


def _sla(case: Case) -> str:
    now = timezone.now()
    soon_until = sla.due_soon_until(organisation=case.organisation, now=now)
    return sla.sla_state(case.due_at, is_open=case.is_open, now=now, soon_until=soon_until)


def sla_paused_text(case: Case) -> str:
    """What the SLA clock of an open case waiting on the resident kept: "3
    working days left when it moves on"; empty if it is running."""
    left = case.sla_days_left
    if not case.is_open or case.sla_paused_at is None or left is None:
        return ""
    if case.sla_days_are_working:
        if left >= 0:
            return ngettext(
                "%(count)d working day left when it moves on",
                "%(count)d working days left when it moves on",
                left,
            ) % {"count": left}
        return ngettext(
            "overdue by %(count)d working day when it moves on",
            "overdue by %(count)d working days when it moves on",
            -left,
        ) % {"count": -left}
    if left >= 0:
        return ngettext(
            "%(count)d day left when it moves on", "%(count)d days left when it moves on", left
        ) % {"count": left}
    return ngettext(
        "overdue by %(count)d day when it moves on",
        "overdue by %(count)d days when it moves on",
        -left,
    ) % {"count": -left}
