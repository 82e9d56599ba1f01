"""Sending the outbox in batches: one task claims many due rows in one
statement, sends them one after another through kept-open connections, and
records each outcome as it comes.

The guarantees are those of `services.delivery_send`, row by row: a row is
claimed ("sending") before it is sent and recorded after, so two workers
never both send it and a worker killed mid-batch leaves its rows for
`outbox_retry`; a row is not sent while an earlier row with its order key is
unsent; a row that fails is retried with the same backoff, by a task of its
own. What a batch saves is the task queue's bookkeeping per row (the queue
only wakes `deliver_due`), the claim per row, and the provider's reads per
row (`Provider.prepare`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import Exists, F, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from townhall.core.tasks import DEFAULT_BASE_DELAY, DEFAULT_MAX_DELAY, backoff
from townhall.notifications.models import Delivery
from townhall.notifications.services import delivery_attempt, provider_prepare

logger = logging.getLogger(__name__)

# Rows claimed at once: enough to share the claim and the task among many
# messages, few enough that a killed worker leaves little to recover (its
# claimed rows, and the later rows of their cases, wait for outbox_retry).
BATCH_SIZE = 20
# A task drains batches for at most this long, then hands over to a new task
# so other work queued meanwhile gets its turn, and a worker told to stop
# finishes well within its stop timeout (30 seconds in operations.md).
DRAIN_SECONDS = 10.0


def _claimable() -> QuerySet[Delivery]:
    """Rows a batch may take: pending (new, or put back to wait), and not held
    back by an earlier row with their order key that is being sent, waiting
    for a retry, or given up. Earlier pending rows come first in the same
    batch, so a batch holds a prefix of each key's unsent rows."""
    holding_back = Delivery.objects.filter(
        order_key=OuterRef("order_key"),
        pk__lt=OuterRef("pk"),
        status__in=[Delivery.Status.SENDING, Delivery.Status.RETRYING, Delivery.Status.FAILED],
    ).exclude(order_key="")  # as the order index's condition says, so it is used
    return Delivery.objects.filter(status=Delivery.Status.PENDING).filter(
        Q(order_key="") | ~Exists(holding_back)
    )


def deliveries_claim(*, limit: int = BATCH_SIZE) -> list[Delivery]:
    """Claim up to `limit` due rows, oldest first, for this worker: marked
    "sending" with an attempt counted, in one transaction. On PostgreSQL rows
    another worker is claiming are skipped (`SKIP LOCKED`); SQLite takes its
    one write lock when the transaction begins (`transaction_mode`
    IMMEDIATE), so two claims never overlap there either."""
    with transaction.atomic():
        ids = list(
            _claimable()
            .order_by("pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
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
    held_back = _held_back_from(rows)
    provider_prepare(rows)
    waiting: list[Delivery] = []
    halted: set[str] = set()
    sent = 0
    for row in rows:
        key = row.order_key
        if key and (key in halted or held_back.get(key, row.pk + 1) < row.pk):
            waiting.append(row)
            continue
        outcome = delivery_attempt(row)
        if outcome.sent:
            sent += 1
            continue
        if key:
            halted.add(key)
        if outcome.retry and row.attempts < _max_attempts():
            _retry_later(row)
    if waiting:
        _put_back(waiting)
    _wake_followers(rows)
    return sent


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
        while rows := deliveries_claim(limit=limit):
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
