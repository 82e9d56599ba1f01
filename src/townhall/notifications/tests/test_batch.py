"""The batch sender: due rows claimed many at a time, sent in order, each
outcome recorded, failures retried on their own."""

from __future__ import annotations

import smtplib
from typing import Any, cast

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from townhall.notifications.batch import deliveries_claim, deliveries_drain, deliveries_wake
from townhall.notifications.models import Delivery

ADDRESS = "resident@example.com"


def row(council, *, order_key: str = "", **fields: Any) -> Delivery:
    return Delivery.objects.create(
        organisation=council,
        channel=Delivery.Channel.EMAIL,
        provider="email",
        recipient=ADDRESS,
        subject=fields.pop("subject", "S"),
        body="B",
        order_key=order_key,
        **fields,
    )


@pytest.fixture
def held_tasks(settings):
    """Tasks are held, not run, so what a batch queues can be looked at."""
    from django_tasks import default_task_backend
    from django_tasks.backends.dummy import DummyBackend

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    held = cast(DummyBackend, default_task_backend)
    held.clear()
    return held


def drain_queries(council, count: int) -> int:
    for n in range(count):
        row(council, subject=f"m{n}")
    with CaptureQueriesContext(connection) as queries:
        assert deliveries_drain() == count
    return len(queries)


def test_a_batch_records_its_sends_five_at_a_time_and_the_rest_once(council, held_tasks):
    few = drain_queries(council, 3)
    many = drain_queries(council, 9)
    # Claiming, reading and waking are per batch; sends are recorded 5 at a time.
    assert many - few == 1
    assert len(mail.outbox) == 12
    assert set(Delivery.objects.values_list("status", "attempts")) == {(Delivery.Status.SENT, 1)}


def test_claims_never_overlap_and_take_the_oldest_first(council):
    rows = [row(council, subject=f"m{n}") for n in range(5)]
    first = deliveries_claim(limit=3)
    second = deliveries_claim(limit=3)
    assert [r.pk for r in first] == [r.pk for r in rows[:3]]
    assert [r.pk for r in second] == [r.pk for r in rows[3:]]
    assert deliveries_claim(limit=3) == []
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENDING}


def test_a_row_held_back_by_an_earlier_unsent_one_is_not_claimed(council, held_tasks):
    retrying = row(council, order_key="case-1", status=Delivery.Status.RETRYING, attempts=1)
    later = row(council, order_key="case-1", subject="later")
    row(council, order_key="case-2", subject="other")
    assert deliveries_drain() == 1
    assert [m.subject for m in mail.outbox] == ["other"]
    later.refresh_from_db()
    assert (later.status, later.attempts) == (Delivery.Status.PENDING, 0)

    Delivery.objects.filter(pk=retrying.pk).update(status=Delivery.Status.SENT)
    assert deliveries_drain() == 1
    assert [m.subject for m in mail.outbox] == ["other", "later"]


def test_a_failure_stops_its_case_in_the_batch_and_is_retried_on_its_own(
    council, held_tasks, monkeypatch
):
    real_send = EmailMessage.send

    def send(message, fail_silently=False):
        if message.subject == "fails":
            raise smtplib.SMTPServerDisconnected("gone")
        return real_send(message, fail_silently)

    monkeypatch.setattr(EmailMessage, "send", send)
    failing = row(council, order_key="case-1", subject="fails")
    waits = row(council, order_key="case-1", subject="waits")
    free = row(council, order_key="case-2", subject="free")

    assert deliveries_drain() == 1
    assert [m.subject for m in mail.outbox] == ["free"]
    failing.refresh_from_db()
    waits.refresh_from_db()
    assert (failing.status, failing.attempts, failing.last_error) == (
        Delivery.Status.RETRYING,
        1,
        "SMTPServerDisconnected",
    )
    assert (waits.status, waits.attempts) == (Delivery.Status.PENDING, 0)
    # Its next attempt is a task of its own, after the backoff, as for any row.
    (retry,) = [r for r in held_tasks.results if r.task.name == "deliver"]
    assert retry.args == [failing.pk] and retry.kwargs == {"attempt": 2}
    assert retry.task.run_after is not None
    free.refresh_from_db()
    assert free.status == Delivery.Status.SENT


def test_a_full_batch_wakes_another_sender_so_workers_share_a_long_queue(council, held_tasks):
    for n in range(3):
        row(council, subject=f"m{n}")
    rows = deliveries_claim(limit=2)
    assert len(rows) == 2
    deliveries_drain(limit=1)
    assert [r.task.name for r in held_tasks.results].count("deliver_due") >= 1


def test_waking_queues_one_sender_while_one_is_waiting(council, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    deliveries_wake()
    deliveries_wake()
    deliveries_wake()
    assert DBTaskResult.objects.filter(task_path__endswith=".deliver_due").count() == 1


def test_a_claim_takes_whole_cases_so_workers_split_by_case(council):
    a = [row(council, order_key="case-a", subject=f"a{n}") for n in range(3)]
    b = [row(council, order_key="case-b", subject=f"b{n}") for n in range(2)]
    # The first unsent row of each case, then their later rows while there is room.
    first = deliveries_claim(limit=4)
    assert [r.pk for r in first] == [a[0].pk, a[1].pk, a[2].pk, b[0].pk]
    # Case b's last row waits behind the first claim's: no other claim takes it.
    assert deliveries_claim(limit=4) == []
    Delivery.objects.filter(pk=b[0].pk).update(status=Delivery.Status.SENT)
    assert [r.pk for r in deliveries_claim(limit=4)] == [b[1].pk]


def test_heads_are_found_behind_a_window_of_waiting_rows(council, monkeypatch):
    from townhall.notifications import batch

    monkeypatch.setattr(batch, "HEADS_WINDOW", 2)
    waiting = [row(council, order_key="busy", subject=f"w{n}") for n in range(3)]
    Delivery.objects.filter(pk=waiting[0].pk).update(status=Delivery.Status.SENDING)
    free = row(council, order_key="free")
    assert [r.pk for r in deliveries_claim(limit=5)] == [free.pk]


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_rows_a_dead_worker_left_sending_are_sent_again_at_once(council, held_tasks):
    import psycopg

    from townhall.notifications.claims import NAMESPACE

    orphaned = row(council, subject="orphaned")
    held = row(council, subject="held")
    Delivery.objects.filter(pk__in=[orphaned.pk, held.pk]).update(
        status=Delivery.Status.SENDING, attempts=1
    )
    # A live worker on another connection holds its row's claim lock.
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"],
        dbname=settings["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_advisory_lock(%s + %s)", [NAMESPACE, held.pk])
        assert deliveries_drain() == 1
    orphaned.refresh_from_db()
    held.refresh_from_db()
    assert (orphaned.status, orphaned.interrupted) == (Delivery.Status.SENT, True)
    assert (held.status, held.interrupted) == (Delivery.Status.SENDING, False)
    assert [m.subject for m in mail.outbox] == ["orphaned"]


@pytest.mark.skipif("connection.vendor == 'postgresql'")
def test_on_sqlite_rows_left_sending_wait_for_outbox_retry(council, held_tasks):
    left = row(council)
    Delivery.objects.filter(pk=left.pk).update(status=Delivery.Status.SENDING, attempts=1)
    assert deliveries_drain() == 0
    left.refresh_from_db()
    assert left.status == Delivery.Status.SENDING
