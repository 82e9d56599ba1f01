"""`enqueue_on_commit`: with the database queue the task's row commits with the
caller's transaction (ADR 71); with a broker it is sent after commit, and a
failure to send never undoes what committed."""

from __future__ import annotations

import logging

import pytest
from django.db import OperationalError, transaction
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from townhall.core.models import Throttle
from townhall.core.tasks import enqueue_on_commit

pytestmark = pytest.mark.django_db(transaction=True)


@task()
def noted(key: str) -> None:
    """A task that does nothing: only where and when it is enqueued matters here."""


def _write(key: str) -> None:
    Throttle.objects.create(key=key, window_started_at=timezone.now())


def _write_and_enqueue(key: str) -> None:
    with transaction.atomic():
        _write(key)
        enqueue_on_commit(noted, key)


def test_with_the_database_queue_the_task_commits_with_the_work(database_tasks):
    with transaction.atomic():
        _write("kept")
        enqueue_on_commit(noted, "kept")
        # Written already, in this transaction: no commit of its own after it.
        assert DBTaskResult.objects.count() == 1

    assert Throttle.objects.filter(key="kept").exists()
    assert DBTaskResult.objects.get().args_kwargs == {"args": ["kept"], "kwargs": {}}


def test_with_the_database_queue_a_rolled_back_transaction_leaves_no_task(database_tasks):
    def work_that_fails() -> None:
        with transaction.atomic():
            _write("gone")
            enqueue_on_commit(noted, "gone")
            raise RuntimeError("the work failed")

    with pytest.raises(RuntimeError):
        work_that_fails()

    assert not Throttle.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_with_the_database_queue_a_failed_enqueue_undoes_the_whole_transaction(
    database_tasks, monkeypatch
):
    """With the database queue a failed enqueue is a database failure: it is
    raised, and nothing of the transaction is kept (so nothing is reported done)."""

    def failing(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(DBTaskResult.objects, "create", failing)
    with pytest.raises(OperationalError):
        _write_and_enqueue("refused")

    assert not Throttle.objects.exists()


def test_with_a_broker_the_task_is_sent_after_commit_and_its_failure_is_only_logged(
    settings, monkeypatch, caplog
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    sent: list[str] = []

    def failing(*args):
        sent.append("tried")
        assert Throttle.objects.filter(key="stands").exists()  # committed first
        raise OperationalError("the broker's database went away")

    monkeypatch.setattr(type(noted), "enqueue", lambda self, *args: failing(*args))
    with caplog.at_level(logging.WARNING), transaction.atomic():
        _write("stands")
        enqueue_on_commit(noted, "stands")
        assert sent == []  # nothing sent before commit

    assert sent == ["tried"]
    assert Throttle.objects.filter(key="stands").exists()
    assert "noted could not be enqueued (OperationalError)" in caplog.text


def test_task_row_is_the_row_the_backend_writes(database_tasks):
    from django_tasks.signals import task_enqueued

    from townhall.core.tasks import task_row, task_written

    heard = []

    def listener(sender, task_result, **kwargs):
        heard.append(task_result.id)

    task_enqueued.connect(listener)
    try:
        with transaction.atomic():
            enqueue_on_commit(noted, "same")
            row = task_row(noted, "same")
            assert row is not None
            row.save(force_insert=True)
            task_written(row)
    finally:
        task_enqueued.disconnect(listener)

    enqueued, written = (
        DBTaskResult.objects.exclude(pk=row.pk).get(),
        DBTaskResult.objects.get(pk=row.pk),
    )
    fields = [
        f.attname for f in DBTaskResult._meta.concrete_fields if f.name not in {"id", "enqueued_at"}
    ]
    assert [getattr(written, f) for f in fields] == [getattr(enqueued, f) for f in fields]
    assert heard == [str(enqueued.pk), str(row.pk)]


def test_task_row_is_none_where_the_task_would_not_commit_with_the_caller(database_tasks):
    from townhall.core.tasks import task_row

    assert task_row(noted, "outside a transaction") is None
