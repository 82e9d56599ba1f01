"""Service levels: which open cases are about to breach their due time or
have breached it, and telling the managers of their teams, once each.

A case is "due soon" from the start of the working day before its last one
(`DUE_SOON_WORKING_DAYS`, in the council's bank holiday calendar) and
"overdue" once its due time has passed. `sla_warnings_send`, run every few
minutes by `townhall cases_sla_warn`, emails each team manager one list of
their teams' cases that became due soon or overdue since the last run, and
records a `SlaWarning` for each case, kind and due time, so nobody hears
about the same deadline twice; a new due time (a status with its own SLA, a
reopened case) is a new deadline."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from townhall.cases.models import Case, CaseQuerySet, SlaWarning
from townhall.cases.routing import end_of_day
from townhall.core.calendar import region_for, working_days_add
from townhall.notifications.messages import message_render
from townhall.notifications.services import email_queue
from townhall.tenancy.models import Membership, Organisation
from townhall.tenancy.selectors import public_url_for

# A case is due soon from this many working days before its last day.
DUE_SOON_WORKING_DAYS = 1
# At most this many cases of each kind are warned about in one run (the rest
# in the next), so a first run over a large backlog stays short.
RUN_LIMIT = 5000
# An email lists this many cases of each kind and counts the others.
EMAIL_LIST_LIMIT = 50

DUE_SOON = SlaWarning.Kind.DUE_SOON
BREACHED = SlaWarning.Kind.BREACHED


def due_soon_until(*, organisation: Organisation, now: datetime | None = None) -> datetime:
    """Open cases due by this moment are due soon: the end of the next working
    day in the council's calendar (on a Friday, the end of Monday)."""
    today = timezone.localtime(now).date()
    return end_of_day(working_days_add(today, DUE_SOON_WORKING_DAYS, region_for(organisation)))


def sla_state(
    due_at: datetime | None, *, is_open: bool, now: datetime, soon_until: datetime
) -> str:
    """ "breached", "due_soon" or "" for a case with this due time."""
    if not is_open or due_at is None:
        return ""
    if due_at < now:
        return BREACHED
    return DUE_SOON if due_at <= soon_until else ""


@dataclass
class WarningRun:
    """What one run did (or, dry, would do) for one council."""

    due_soon: int = 0
    breached: int = 0
    emails: int = 0
    without_manager: int = 0  # cases whose team has no team manager to tell


def _not_warned(cases: CaseQuerySet, kind: str) -> CaseQuerySet:
    warned = SlaWarning.objects.filter(case=OuterRef("pk"), kind=kind, due_at=OuterRef("due_at"))
    return cases.exclude(Exists(warned))


def _to_warn(organisation: Organisation, now: datetime) -> dict[str, list[Case]]:
    cases = (
        Case.objects.for_organisation(organisation)
        .open()
        .filter(team__isnull=False)
        .select_related("service", "team")
        .only("reference", "due_at", "team__name", "service__name")
        .order_by("due_at", "pk")
    )
    until = due_soon_until(organisation=organisation, now=now)
    return {
        BREACHED: list(_not_warned(cases.filter(due_at__lt=now), BREACHED)[:RUN_LIMIT]),
        DUE_SOON: list(
            _not_warned(cases.filter(due_at__gte=now, due_at__lte=until), DUE_SOON)[:RUN_LIMIT]
        ),
    }


def _managers_by_team(organisation: Organisation, team_ids: set[int]) -> dict[int, set[str]]:
    rows = Membership.objects.filter(
        organisation=organisation,
        role=Membership.Role.TEAM_MANAGER,
        user__is_active=True,
        teams__in=team_ids,
    ).values_list("teams", "user__email")
    managers: dict[int, set[str]] = defaultdict(set)
    for team_id, email in rows:
        managers[team_id].add(email)
    return managers


def _line(case: Case, staff_url: str) -> dict[str, str]:
    return {
        "reference": case.reference,
        "service": case.service.name,
        "team": case.team.name if case.team else "",
        "due": date_format(timezone.localtime(case.due_at), "j F Y"),
        "url": staff_url + reverse("backoffice:case", args=[case.reference]),
    }


def _email(organisation: Organisation, to: str, cases: dict[str, list[Case]], site: str) -> None:
    context: dict[str, Any] = {
        "council_name": organisation.name,
        "overdue_url": site + reverse("backoffice:queue") + "?queue=overdue",
    }
    for kind, found in cases.items():
        context[kind] = [_line(case, site) for case in found[:EMAIL_LIST_LIMIT]]
        context[f"{kind}_count"] = len(found)
        context[f"{kind}_more"] = max(0, len(found) - EMAIL_LIST_LIMIT)
    message = message_render(channel="email", name="sla_warning", context=context)
    email_queue(organisation=organisation, to=to, subject=message.subject, body=message.body)


def sla_warnings_send(
    *, organisation: Organisation, now: datetime | None = None, dry_run: bool = False
) -> WarningRun:
    """Email the team managers of `organisation` about their teams' open cases
    that became due soon or overdue and that nobody was told about for their
    current due time, and record that they were told. One email per manager,
    written to the outbox in the same transaction as the records, so a run
    that fails sends nothing and the next one tries again."""
    now = now or timezone.now()
    with transaction.atomic():
        # Two runs at once would both find the same cases: the second waits here.
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        found = _to_warn(organisation, now)
        run = WarningRun(due_soon=len(found[DUE_SOON]), breached=len(found[BREACHED]))
        team_ids = {case.team_id for cases in found.values() for case in cases if case.team_id}
        managers = _managers_by_team(organisation, team_ids)
        per_manager: dict[str, dict[str, list[Case]]] = defaultdict(
            lambda: {BREACHED: [], DUE_SOON: []}
        )
        warnings = []
        for kind, cases in found.items():
            for case in cases:
                if case.due_at is None:  # not found by the query; for the type checker
                    continue
                told = managers.get(case.team_id or 0, set())
                run.without_manager += not told
                for email in told:
                    per_manager[email][kind].append(case)
                warnings.append(
                    SlaWarning(case=case, kind=kind, due_at=case.due_at, recipients=len(told))
                )
        run.emails = len(per_manager)
        if dry_run:
            return run
        SlaWarning.objects.bulk_create(warnings, batch_size=1000)
        if per_manager:
            site = public_url_for(organisation)
            for email, cases_of in sorted(per_manager.items()):
                _email(organisation, email, cases_of, site)
    return run
