"""Sending the outbox in batches: one task claims many due rows in one
statement, sends them one after another through kept-open connections,
records a failure as it comes and its successes five at a time.

The guarantees are those of `services.delivery_send`, row by row: a row is
claimed ("sending") before it is sent and recorded after, so two workers
never both send it, and a worker killed mid-batch leaves its rows to be sent
again with the same identity (on PostgreSQL by the next batch, which finds
their claim locks gone: `claims`; on SQLite by `outbox_retry`); a row is not
sent while an earlier row with its order key is unsent; a row that fails is
retried with the same backoff, by a task of its own. What a batch saves is
the task queue's bookkeeping per row (the queue only wakes `deliver_due`),
the claim and the outcome's statement per row, and the provider's reads per
row (`Provider.prepare`). ADRs 58 and 69.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import Case, Exists, F, Min, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from townhall.core.tasks import DEFAULT_BASE_DELAY, DEFAULT_MAX_DELAY, backoff
from townhall.notifications.claims import (
    claims_hold,
    claims_release,
    deliveries_orphaned_recover,
)
from townhall.notifications.models import Delivery
from townhall.notifications.services import delivery_attempt, provider_prepare

logger = logging.getLogger(__name__)

# Rows claimed at once: enough to share the claim and the task among many
# messages, few enough that a killed worker leaves little to send again (its
# claimed rows, and the later rows of their cases, wait until found).
BATCH_SIZE = 20
# Sent rows are recorded together, this many at a time: at most this many
# rows a killed worker had sent are sent again (with the same identity).
RECORD_EVERY = 5
# A task drains batches for at most this long, then hands over to a new task
# so other work queued meanwhile gets its turn, and a worker told to stop
# finishes well within its stop timeout (30 seconds in operations.md).
DRAIN_SECONDS = 10.0


def _heads() -> QuerySet[Delivery]:
    """Pending rows that come first among their order key's unsent rows (or
    have no key): a batch claims a case through its first unsent row, and
    then that case's later pending rows, so two workers never share a case.
    A key whose first unsent row is being sent, waiting for a retry or given
    up has no head, and its later rows wait."""
    earlier_unsent = (
        Delivery.objects.filter(order_key=OuterRef("order_key"), pk__lt=OuterRef("pk"))
        .exclude(order_key="")  # as the order index's condition says, so it is used
        .exclude(status=Delivery.Status.SENT)
    )
    return Delivery.objects.filter(status=Delivery.Status.PENDING).filter(
        Q(order_key="") | ~Exists(earlier_unsent)
    )


# The claim looks for heads among this many oldest pending rows first.
HEADS_WINDOW = 10 * BATCH_SIZE


def _oldest_heads(limit: int) -> list[tuple[int, str]]:
    """The oldest `limit` heads, locked (PostgreSQL skips those another
    claim holds). Looked for first among the oldest pending rows only: the
    planner, which reckons few rows pending until its statistics catch up
    with a burst, would otherwise test every pending row for an earlier
    unsent one before sorting. If that window is full of rows waiting behind
    rows being sent, all pending rows are looked at."""
    window = Delivery.objects.filter(status=Delivery.Status.PENDING).order_by("pk")
    oldest = list(window.values_list("pk", flat=True)[:HEADS_WINDOW])
    heads = _heads().order_by("pk").select_for_update(skip_locked=True)
    if not oldest:
        return []
    found = list(heads.filter(pk__in=oldest).values_list("pk", "order_key")[:limit])
    if found or len(oldest) < HEADS_WINDOW:
        return found
    return list(heads.filter(pk__gt=oldest[-1]).values_list("pk", "order_key")[:limit])


def deliveries_claim(*, limit: int = BATCH_SIZE) -> list[Delivery]:
    """Claim up to `limit` due rows for this worker, marked "sending" with an
    attempt counted, in one transaction: the oldest heads (see `_heads`),
    then, while there is room, the later pending rows of their keys, in
    order. Only a key's head can be claimed, so a worker holding it holds the
    key: on PostgreSQL a head another worker is claiming is skipped (`SKIP
    LOCKED`), and its later rows are not heads; SQLite takes its one write
    lock when the transaction begins (`transaction_mode` IMMEDIATE), so two
    claims never overlap there. On PostgreSQL the rows' claim locks are
    taken before the claim commits (`claims.claims_hold`)."""
    with transaction.atomic():
        heads = _oldest_heads(limit)
        if not heads:
            return []
        ids = claims_hold(pk for pk, _ in heads)
        keys = {key for pk, key in heads if key and pk in ids}
        if keys and len(ids) < limit:
            # (A later row whose lock is held elsewhere is left out; the rows
            # after it are then put back by `deliveries_send_batch`.)
            ids += claims_hold(
                Delivery.objects.filter(order_key__in=keys, status=Delivery.Status.PENDING)
                .exclude(pk__in=ids)
                .order_by("pk")
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[: limit - len(ids)]
            )
        if not ids:
            return []
        Delivery.objects.filter(pk__in=ids).update(
            status=Delivery.Status.SENDING,
            attempts=F("attempts") + 1,
            last_attempt_at=timezone.now(),
        )
        return list(
            Delivery.objects.filter(pk__in=ids)
            .select_related("organisation", "organisation__notify_settings")
            .order_by("pk")
        )


def _held_back_from(rows: list[Delivery]) -> dict[str, int]:
    """For each order key in `rows`, the first unsent row with that key that
    is not in `rows` (another worker's, or one that failed): rows after it
    must wait."""
    keys = {row.order_key for row in rows if row.order_key}
    if not keys:
        return {}
    earliest = (
        Delivery.objects.filter(order_key__in=keys)
        .exclude(order_key="")
        .exclude(status=Delivery.Status.SENT)
        .exclude(pk__in=[row.pk for row in rows])
        .values("order_key")
        .annotate(first=Min("pk"))
        .values_list("order_key", "first")
    )
    return dict(earliest)


def deliveries_send_batch(rows: list[Delivery]) -> int:
    """Send claimed rows in order; returns how many were sent. A row held back
    by an earlier unsent one is put back to wait (its attempt not counted),
    as is every later row of a key whose row failed in this batch."""
    try:
        return _send(rows)
    finally:
        claims_release(row.pk for row in rows)


def _send(rows: list[Delivery]) -> int:
    held_back = _held_back_from(rows)
    provider_prepare(rows)
    waiting: list[Delivery] = []
    halted: set[str] = set()
    sent: dict[int, str] = {}
    sent_count = 0
    try:
        for row in rows:
            key = row.order_key
            if key and (key in halted or held_back.get(key, row.pk + 1) < row.pk):
                waiting.append(row)
                continue
            outcome = delivery_attempt(row, record_sent=False)
            if outcome.sent:
                sent[row.pk] = outcome.reference
                if len(sent) >= RECORD_EVERY:
                    _record_sent(sent)
                    sent_count += len(sent)
                    sent = {}
                continue
            if key:
                halted.add(key)
            if outcome.retry and row.attempts < _max_attempts():
                _retry_later(row)
    finally:
        _record_sent(sent)
    if waiting:
        _put_back(waiting)
    _wake_followers(rows)
    return sent_count + len(sent)


def _record_sent(sent: dict[int, str]) -> None:
    """Record sent rows in one UPDATE, with each its provider's
    reference. Until then they stay "sending": a worker killed before this
    leaves them to be sent again (marked interrupted, with the same event id
    or reference: a provider with `idempotent_retry` looks the reference up
    first), as one killed between a send and its record always could."""
    if not sent:
        return
    references = set(sent.values())
    reference: Value | Case = (
        Value(references.pop())
        if len(references) == 1
        else Case(*(When(pk=pk, then=Value(ref)) for pk, ref in sent.items()))
    )
    Delivery.objects.filter(pk__in=list(sent)).update(
        status=Delivery.Status.SENT,
        sent_at=timezone.now(),
        last_error="",
        provider_reference=reference,
    )


def _max_attempts() -> int:
    from townhall.notifications.services import MAX_ATTEMPTS

    return MAX_ATTEMPTS


def _retry_later(row: Delivery) -> None:
    """Queue the row's next attempt on its own, after the outbox's backoff, as
    the `deliver` task does when an attempt fails."""
    from townhall.notifications.tasks import deliver

    again = deliver
    if again.get_backend().supports_defer:
        delay = backoff(row.attempts, DEFAULT_BASE_DELAY, DEFAULT_MAX_DELAY)
        again = again.using(run_after=timezone.now() + delay)
    again.enqueue(row.pk, attempt=row.attempts + 1)


def _put_back(rows: list[Delivery]) -> None:
    Delivery.objects.filter(pk__in=[row.pk for row in rows]).update(
        status=Delivery.Status.PENDING, attempts=F("attempts") - 1
    )
    # What held them back may have been sent between the look and the put-back,
    # its wake-up finding them still "sending": look again.
    first_waiting: dict[str, int] = {}
    for row in rows:
        first_waiting.setdefault(row.order_key, row.pk)
    for key, pk in first_waiting.items():
        earlier = Delivery.objects.filter(order_key=key, pk__lt=pk).exclude(
            status=Delivery.Status.SENT
        )
        if not earlier.exists():
            deliveries_wake()
            return


def _wake_followers(rows: list[Delivery]) -> None:
    """Wake a batch sender if rows outside this batch wait for its keys."""
    keys = {row.order_key for row in rows if row.order_key}
    if not keys:
        return
    waiting = (
        Delivery.objects.filter(order_key__in=keys, status=Delivery.Status.PENDING)
        .exclude(pk__in=[row.pk for row in rows])
        .exists()
    )
    if waiting:
        deliveries_wake()


def deliveries_drain(*, limit: int = BATCH_SIZE, seconds: float = DRAIN_SECONDS) -> int:
    """Send batches until none is due or `seconds` have passed (then another
    task is woken to go on). A full batch wakes another task first, so more
    than one worker shares a long queue. Returns how many were sent."""
    started = time.monotonic()
    sent = 0
    with _commits_not_waiting_for_disk():
        deliveries_orphaned_recover()
        while True:
            rows = deliveries_claim(limit=limit)
            # Nothing due: rows a dead worker left "sending" (and their keys'
            # later rows) may be all that is left.
            if not rows and deliveries_orphaned_recover():
                rows = deliveries_claim(limit=limit)
            if not rows:
                break
            if len(rows) == limit:
                deliveries_wake()
            sent += deliveries_send_batch(rows)
            if time.monotonic() - started > seconds:
                deliveries_wake()
                break
    return sent


@contextmanager
def _commits_not_waiting_for_disk() -> Iterator[None]:
    """On PostgreSQL, the drain's commits do not wait for the write-ahead log
    to reach the disk (`synchronous_commit = off`), for this connection while
    it drains. A worker killed loses nothing by it (the server has the
    commit); a crash of the database server itself may forget the last
    moment's claims and outcomes, and the rows are then sent again, with the
    same identity, as at-least-once delivery allows (ADR 0058)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def deliveries_wake() -> None:
    """Make sure a batch sender (`deliver_due`) will run: enqueue one unless
    one is queued already and not yet started (on the database task backend,
    where that can be seen), so writing many rows queues few tasks."""
    from townhall.notifications.tasks import deliver_due

    backend = deliver_due.get_backend()
    if type(backend).__module__.split(".")[0] == "django_tasks_db":
        from django_tasks_db.models import DBTaskResult

        if DBTaskResult.objects.ready().filter(task_path=deliver_due.module_path).exists():
            return
    deliver_due.enqueue()
