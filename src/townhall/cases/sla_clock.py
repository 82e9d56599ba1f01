"""The SLA clock stops while the council waits on the resident.

When a case moves into a state that `asks_resident` (more information,
evidence), the days the council had left before its due time are kept, in the
days its SLA counts (working days of the council's bank holiday calendar, or
calendar days), and the case has no due time of its own for that wait, unless
the waiting state gives one (how long the resident has to reply). When it
moves on to a state that does not ask the resident and has no SLA of its own,
the clock starts again with what was left: the day it moves on counts as the
day a case arrives (it is not one of the days), so a case paused on a Monday
with two working days left, due on Wednesday, that moves on on a Thursday is
due at the end of the Monday after. A case already overdue when it stopped is
as overdue when it starts again. A state with its own SLA, or a closed one,
sets the due time afresh (`routing.due_at`) and forgets the pause.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from townhall.cases.models import Case
from townhall.cases.routing import end_of_day, sla_of
from townhall.catalogue.engine.definition import ServiceDefinition, State
from townhall.core.calendar import region_for, working_days_add, working_days_between

FIELDS = ("due_at", "sla_paused_at", "sla_days_left", "sla_days_are_working")


def clock_stop(*, case: Case, definition: ServiceDefinition, leaving: State, now: datetime) -> None:
    """Keep the days `case` has left before its due time, counted as the SLA
    of the state it is `leaving` (or the service's) counts them, and clear its
    due time. A case with no due time, or already stopped, is left as it is.
    Changes the instance only: the caller saves `FIELDS`."""
    if case.due_at is None or case.sla_paused_at is not None:
        return
    sla = sla_of(definition=definition, state=leaving)
    working = sla[1] if sla is not None else True
    today = timezone.localtime(now).date()
    due_day = timezone.localtime(case.due_at).date()
    if working:
        left = working_days_between(today, due_day, region_for(case.organisation))
    else:
        left = (due_day - today).days
    case.sla_paused_at = now
    case.sla_days_left = left
    case.sla_days_are_working = working
    case.due_at = None


def clock_start(*, case: Case, now: datetime) -> None:
    """Give a stopped case its due time again: the days it had left, from now.
    Changes the instance only: the caller saves `FIELDS`."""
    if case.sla_paused_at is None or case.sla_days_left is None:
        clock_forget(case=case)
        return
    case.due_at = resumed_due_at(
        days_left=case.sla_days_left,
        working=case.sla_days_are_working,
        now=now,
        organisation=case.organisation,
    )
    clock_forget(case=case)


def clock_forget(*, case: Case) -> None:
    """Forget a pause (the case's due time was set afresh)."""
    case.sla_paused_at = None
    case.sla_days_left = None
    case.sla_days_are_working = True


def resumed_due_at(
    *, days_left: int, working: bool, now: datetime, organisation: object
) -> datetime:
    """The due time of a case that starts again at `now` with `days_left`."""
    today = timezone.localtime(now).date()
    if working:
        last = working_days_add(today, days_left, region_for(organisation))
    else:
        last = today + timedelta(days=days_left)
    return end_of_day(last)


def clock_on_transition(
    *,
    case: Case,
    definition: ServiceDefinition,
    leaving: State,
    target: State,
    now: datetime,
    fresh_due_at: datetime | None,
    sets_due_at: bool,
) -> None:
    """Move the clock as a status change from `leaving` to `target` asks:
    `sets_due_at` when the target state sets the due time afresh (closed, or
    an SLA of its own: `fresh_due_at`). Changes the instance only."""
    if target.asks_resident and not target.closed:
        clock_stop(case=case, definition=definition, leaving=leaving, now=now)
        if sets_due_at:
            case.due_at = fresh_due_at  # how long the resident has to reply
        return
    if sets_due_at:
        case.due_at = fresh_due_at
        clock_forget(case=case)
        return
    if case.sla_paused_at is not None:
        clock_start(case=case, now=now)
