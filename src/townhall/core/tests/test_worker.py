"""The task worker survives losing its database connection (fault injection).

On PostgreSQL the worker's connection is really cut, from another connection,
with pg_terminate_backend. SQLite has no server to cut it, so there every query
on the connection raises OperationalError until the worker closes it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.core.management import call_command, get_commands
from django.db import DatabaseError, OperationalError, connection, connections
from django_tasks import TaskResultStatus, task
from django_tasks_db.management.commands import db_worker as upstream
from django_tasks_db.models import DBTaskResult, DBTaskResultQuerySet

pytestmark = pytest.mark.django_db(transaction=True)


def _cut_postgresql() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()


class _SimulatedLoss:
    """Every query fails, as on a dead connection, until the connection is closed."""

    def __init__(self) -> None:
        self.lost = False

    def __call__(self, execute, sql, params, many, context):
        if self.lost:
            raise OperationalError("server closed the connection unexpectedly (simulated)")
        return execute(sql, params, many, context)


@pytest.fixture
def cut_connection(monkeypatch) -> Iterator[Callable[[], None]]:
    """A function that cuts the database connection this thread is using."""
    if connection.vendor == "postgresql":
        yield _cut_postgresql
        return
    loss = _SimulatedLoss()
    connection.execute_wrappers.append(loss)
    close = connection.close

    def close_and_heal() -> None:
        loss.lost = False
        close()

    monkeypatch.setattr(connection, "close", close_and_heal)
    yield lambda: setattr(loss, "lost", True)
    connection.execute_wrappers.remove(loss)


CUT: list[Callable[[], None]] = []


@task()
def cut_then_query() -> int:
    CUT[0]()
    return DBTaskResult.objects.count()


@task()
def note(text: str) -> str:
    return text


@pytest.fixture
def tasks_that_cut(cut_connection):
    CUT[:] = [cut_connection]
    yield
    CUT.clear()


def _work() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)


def _result(result) -> DBTaskResult:
    return DBTaskResult.objects.get(pk=result.id)


def test_townhall_db_worker_is_the_worker_that_reconnects():
    assert get_commands()["db_worker"] == "townhall.core"


def test_django_tasks_db_alone_dies_when_the_connection_drops_mid_task(
    database_tasks, tasks_that_cut
):
    """The fault the worker guards against: without it, the worker process exits."""
    cut_then_query.enqueue()
    worker = upstream.Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="upstream",
        excluded_queue_names=[],
    )
    with pytest.raises(DatabaseError):
        worker.run()


def test_the_worker_survives_a_connection_dropped_mid_task_and_runs_the_next(
    database_tasks, tasks_that_cut, caplog
):
    cut = cut_then_query.enqueue()
    after = note.enqueue("still working")

    _work()

    assert _result(after).status == TaskResultStatus.SUCCESSFUL
    assert _result(after).return_value == "still working"
    interrupted = _result(cut)
    assert interrupted.status == TaskResultStatus.FAILED
    assert "OperationalError" in interrupted.traceback
    assert "its outcome could not be recorded" in caplog.text


def test_the_worker_survives_a_connection_dropped_while_claiming_a_task(
    database_tasks, cut_connection, monkeypatch, caplog
):
    first = note.enqueue("first")
    second = note.enqueue("second")
    get_locked = DBTaskResultQuerySet.get_locked
    cuts: list[bool] = []

    def cut_once_then_claim(self):
        if not cuts:
            cuts.append(True)
            cut_connection()
        return get_locked(self)

    monkeypatch.setattr(DBTaskResultQuerySet, "get_locked", cut_once_then_claim)

    _work()

    assert cuts == [True]
    assert _result(first).status == TaskResultStatus.SUCCESSFUL
    assert _result(second).status == TaskResultStatus.SUCCESSFUL
    assert "Database unavailable" in caplog.text
