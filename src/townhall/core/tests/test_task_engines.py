"""The task engines the tests of queued work run on (townhall.testing.task_engines):
each task really goes through the engine, waits there until a worker takes it,
and a retry enqueued by a failing task runs on the same engine."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django_tasks import task_backends

from townhall.core.tasks import retrying_task

pytestmark = pytest.mark.django_db

ran: list[str] = []


@retrying_task(max_attempts=3, base_delay=timedelta(minutes=5))
def note(word: str, *, failures: int = 0) -> None:
    ran.append(word)
    if len([w for w in ran if w == word]) <= failures:
        raise ConnectionError("not yet")


@pytest.fixture(autouse=True)
def _nothing_ran():
    ran.clear()


def _stored(task_engine, result_id: str) -> str:
    """The task's status as the engine itself holds it (the table, or Redis)."""
    if task_engine.name == "database":
        from django_tasks_db.models import DBTaskResult

        return str(DBTaskResult.objects.get(pk=result_id).status)
    from django_tasks_rq.backend import Job

    return str(Job.fetch(result_id, connection=task_engine.connection).get_status().value)


def test_a_task_waits_in_the_engine_until_a_worker_runs_it(task_engine):
    task_engine.auto = False
    backend = type(task_backends["default"])
    assert f"{backend.__module__.rsplit('.', 1)[0]}.{backend.__name__}" == task_engine.backend

    result = note.enqueue("hello")

    assert ran == []
    assert _stored(task_engine, result.id).upper() in {"READY", "QUEUED"}
    task_engine.drain()
    assert ran == ["hello"]
    assert _stored(task_engine, result.id).upper() in {"SUCCESSFUL", "FINISHED"}
    assert task_engine.runs == 1


def test_a_retry_enqueued_for_later_runs_on_the_same_engine(task_engine):
    note.enqueue("again", failures=2)
    assert ran == ["again"] * 3
    assert task_engine.runs == 3
