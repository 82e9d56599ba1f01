"""Which "sending" rows have a live sender: on PostgreSQL a worker holds a
session advisory lock on each row it has claimed until the row's outcome is
recorded. The database server releases a session's locks when its connection
ends, which it does at once when the worker's process dies, so a "sending"
row whose lock can be taken lost its sender and can be sent again now,
without waiting for `outbox_retry`'s staleness window (ADR 69).

On SQLite there is no such signal (and nothing here does anything): rows a
killed worker left "sending" wait for `outbox_retry`, as before.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Value

from townhall.notifications.models import Delivery

# The advisory lock key of row N is NAMESPACE + N: the high bits ("OUTB")
# keep the outbox's keys apart from any other use of advisory locks.
NAMESPACE = 0x4F55544200000000


def _supported() -> bool:
    return connection.vendor == "postgresql"


def claims_hold(ids: Iterable[int]) -> list[int]:
    """Take the claim locks of rows this connection is about to mark
    "sending" (inside the claiming transaction, before it commits); returns
    the ids whose lock it got, in their order. A lock held elsewhere is not
    waited for (so two claimers never wait on each other): that row is being
    claimed or recovered by someone else, who sends it."""
    ids = list(ids)
    if not ids or not _supported():
        return ids
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM unnest(%s::bigint[]) WITH ORDINALITY AS claim(id, n)"
            " WHERE pg_try_advisory_lock(%s + id) ORDER BY n",
            [ids, NAMESPACE],
        )
        return [row[0] for row in cursor.fetchall()]


def claims_release(ids: Iterable[int]) -> None:
    """Let go of the claim locks of rows whose outcome is recorded."""
    ids = list(ids)
    if not ids or not _supported():
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_unlock(%s + id)) FROM unnest(%s::bigint[]) AS id",
            [NAMESPACE, ids],
        )


def deliveries_orphaned_recover() -> int:
    """Put back to pending, marked `interrupted` (the provider may have taken
    them: see `services.delivery_retry`), the "sending" rows whose sender's
    connection has ended; returns how many. Call while this connection holds
    no claim locks of its own (its own locks would not stop it)."""
    if not _supported():
        return 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            # The lock taken here lasts until this transaction ends, so a row
            # found orphaned cannot be claimed by another worker meanwhile.
            # (The "sending" rows first, so only theirs are tried.)
            sql = (
                "WITH sending AS MATERIALIZED ("  # noqa: S608 (the model's own table)
                f" SELECT id FROM {Delivery._meta.db_table} WHERE status = %s"
                ") SELECT id FROM sending WHERE pg_try_advisory_xact_lock(%s + id)"
            )
            cursor.execute(sql, [Delivery.Status.SENDING, NAMESPACE])
            orphaned = [row[0] for row in cursor.fetchall()]
        if not orphaned:
            return 0
        return Delivery.objects.filter(pk__in=orphaned, status=Delivery.Status.SENDING).update(
            status=Delivery.Status.PENDING, interrupted=Value(True)
        )
