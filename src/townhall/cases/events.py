"""Case events and their subscribers.

Every change to a case is recorded with `event_record`, in the same
transaction as the change. Nothing reacts inside that transaction: once it
commits, a task (`cases.tasks.dispatch_event`) hands the event to each
subscriber registered for its kind. A subscriber returns the messages to send
(`notifications.services.Outgoing`); they are written to the outbox in the
same transaction that marks the event handled by that subscriber, so each
subscriber acts on each event once, whatever fails or is retried. A subscriber
that raises is tried again with the task's backoff; the others, and the case,
are not held up by it.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypedDict, Unpack

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from townhall.accounts.models import User
from townhall.cases.models import Case, CaseEvent
from townhall.core.tasks import enqueue_on_commit
from townhall.notifications.batch import deliveries_wake
from townhall.notifications.services import (
    NEVER_ATTEMPTED_STALE,
    RETRYING_STALE,
    Outgoing,
    delivery_add,
)

logger = logging.getLogger(__name__)

# Dispatch attempts before an event is given up (the same schedule as deliveries).
MAX_ATTEMPTS = 20
# An attempt still unfinished after this long was cut off (the worker stopped):
# subscribers only write rows, which takes seconds. Dispatching again is safe.
DISPATCH_STALE = timedelta(minutes=10)

Subscriber = Callable[[CaseEvent], Iterable[Outgoing]]
Applies = Callable[[Case], bool]


@dataclass(frozen=True)
class Registration:
    name: str  # stored on each event it handles: never rename a subscriber in use
    kinds: frozenset[str]
    func: Subscriber
    # Whether it has anything to do for a case (a council with no webhook
    # endpoints has not): an event no registration applies to starts no task.
    applies: Applies | None = None

    def applies_to(self, case: Case) -> bool:
        return self.applies is None or self.applies(case)


_subscribers: dict[str, Registration] = {}


class EventNotDispatched(Exception):
    """A subscriber failed; the message names the event, the subscriber and the error's type."""


def subscriber_register(
    *, name: str, kinds: Iterable[str], func: Subscriber, applies: Applies | None = None
) -> Subscriber:
    """Have `func` called with every event of the given kinds, after it commits.
    It returns the messages to send about it (often none) and may write to the
    database; everything it writes commits with the note that it handled the
    event, or not at all. With `applies`, only for events about cases it
    returns True for, asked when the event is recorded and dispatched."""
    _subscribers[name] = Registration(name=name, kinds=frozenset(kinds), func=func, applies=applies)
    return func


def subscriber_unregister(*, name: str) -> None:
    _subscribers.pop(name, None)


def subscribers_for(kind: str) -> list[Registration]:
    """The subscribers to events of `kind`, in the order they registered."""
    return [registration for registration in _subscribers.values() if kind in registration.kinds]


class EventDetails(TypedDict, total=False):
    """What an event says beyond its case and kind (each defaults to empty)."""

    actor: User | None
    from_status: str
    to_status: str
    public_message: str
    internal_note: str
    payload: Mapping[str, Any] | None


def event_record(*, case: Case, kind: str, **details: Unpack[EventDetails]) -> CaseEvent:
    """Record a change to a case on its timeline, in the caller's transaction,
    and hand it to its subscribers once that transaction commits (never, if it
    rolls back). Call it inside the transaction that makes the change."""
    from townhall.cases.tasks import dispatch_event

    event = event_row(case=case, kind=kind, **details)
    event.save(force_insert=True)
    if event_subscribed(event):
        # If the database goes away between the commit and the enqueue, the change
        # still stands: outbox_retry dispatches the event later.
        enqueue_on_commit(dispatch_event, event.pk)
    return event


def event_row(*, case: Case, kind: str, **details: Unpack[EventDetails]) -> CaseEvent:
    """The event `event_record` writes, unsaved, for a caller that writes it
    with the case's own rows (cases.services.case_open) and then hands it to
    its subscribers as `event_record` does. One nobody subscribes to is
    marked dispatched already."""
    subscribed = any(registration.applies_to(case) for registration in subscribers_for(kind))
    return CaseEvent(
        case=case,
        kind=kind,
        actor=details.get("actor"),
        from_status=details.get("from_status", ""),
        to_status=details.get("to_status", ""),
        public_message=details.get("public_message", ""),
        internal_note=details.get("internal_note", ""),
        payload=dict(details.get("payload") or {}),
        dispatched_at=None if subscribed else timezone.now(),
    )


def event_subscribed(event: CaseEvent) -> bool:
    """Whether `event` (from `event_row`) waits for its subscribers."""
    return event.dispatched_at is None


def event_dispatch(*, event_id: int) -> None:
    """Hand a committed event to every subscriber that has not yet handled it,
    then start delivering what they wrote to the outbox. Raises
    EventNotDispatched if any subscriber failed, after running the others, so
    the task tries the failed ones again later."""
    event = CaseEvent.objects.filter(pk=event_id, dispatched_at__isnull=True).first()
    if event is None:
        return  # dispatched already, or gone with its case
    # The error is cleared while the attempt runs: an attempt that never
    # finishes is then told apart from one waiting to be retried.
    CaseEvent.objects.filter(pk=event_id).update(
        dispatch_attempts=F("dispatch_attempts") + 1,
        last_dispatch_at=timezone.now(),
        dispatch_error="",
    )
    failures = []
    for registration in subscribers_for(event.kind):
        if registration.name in event.handled_by or not registration.applies_to(event.case):
            continue
        try:
            delivery_ids = _subscriber_run(event_id, registration)
        except Exception as error:
            # The error's type and where it happened, never its text, which can
            # hold what the resident wrote.
            failures.append(f"{registration.name}: {type(error).__name__}")
            logger.warning(
                "event %s: subscriber %s failed with %s\n%s",
                event_id,
                registration.name,
                type(error).__name__,
                "".join(traceback.format_tb(error.__traceback__)),
            )
            continue
        # Woken only now that the rows are committed (tasks run in autocommit):
        # one batch sender for all of them, not a task each.
        if delivery_ids:
            deliveries_wake()
    if failures:
        CaseEvent.objects.filter(pk=event_id).update(dispatch_error="; ".join(failures)[:200])
        raise EventNotDispatched(f"event {event_id}: {'; '.join(failures)}")
    CaseEvent.objects.filter(pk=event_id).update(dispatched_at=timezone.now(), dispatch_error="")


def _subscriber_run(event_id: int, registration: Registration) -> list[int]:
    """Run one subscriber on one event, at most once: its outbox rows and the
    note that it handled the event commit together, with the event locked."""
    with transaction.atomic():
        event = (
            CaseEvent.objects.select_for_update(of=("self",))
            .select_related("case__organisation", "case__service_version", "actor")
            .get(pk=event_id)
        )
        if registration.name in event.handled_by:
            return []  # another task got here first
        deliveries = [
            delivery_add(
                organisation=event.case.organisation,
                outgoing=outgoing,
                case=event.case,
                event=event,
                subscriber=registration.name,
            )
            for outgoing in registration.func(event)
        ]
        event.handled_by = [*event.handled_by, registration.name]
        event.save(update_fields=["handled_by"])
    return [delivery.pk for delivery in deliveries]


def events_to_dispatch(
    *, include_failed: bool = False, include_waiting: bool = False
) -> QuerySet[CaseEvent]:
    """Events some subscriber has not handled whose dispatch task was lost (the
    process stopped before enqueueing it, or a worker was killed running it).
    With `include_failed`, also those given up on; with `include_waiting`, also
    those waiting to be tried again after a subscriber failed."""
    now = timezone.now()
    lost = (
        Q(last_dispatch_at__isnull=True, created_at__lt=now - NEVER_ATTEMPTED_STALE)
        | Q(dispatch_error="", last_dispatch_at__lt=now - DISPATCH_STALE)
        | Q(last_dispatch_at__lt=now - RETRYING_STALE)
    )
    if include_waiting:
        lost |= ~Q(dispatch_error="")
    gave_up = Q(dispatch_attempts__gte=MAX_ATTEMPTS)
    undispatched = CaseEvent.objects.filter(dispatched_at__isnull=True)
    if include_failed:
        return undispatched.filter(lost | gave_up).only("pk")
    return undispatched.filter(lost).exclude(gave_up).only("pk")


def event_redispatch(*, event: CaseEvent) -> None:
    """Dispatch an event again, from a fresh count of attempts, once the current
    transaction commits. Subscribers that handled it already are not run again."""
    from townhall.cases.tasks import dispatch_event

    CaseEvent.objects.filter(pk=event.pk).update(dispatch_attempts=0)
    transaction.on_commit(lambda: dispatch_event.enqueue(event.pk))
