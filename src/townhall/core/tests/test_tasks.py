"""Background tasks that retry: enqueued again with a growing wait until they succeed
or run out of attempts."""

from __future__ import annotations

import datetime as dt
import logging
from datetime import timedelta
from typing import cast
from unittest import mock

import pytest
from django_tasks import TaskResultStatus, default_task_backend
from django_tasks.backends.dummy import DummyBackend
from django_tasks.signals import task_finished

from townhall.core.tasks import backoff, retrying_task

NOW = dt.datetime(2026, 3, 27, 9, 0, tzinfo=dt.UTC)


def _work(*args, **kwargs):
    """Replaced in each test by a mock saying what the task's work does."""
    raise AssertionError("not patched")


@retrying_task(max_attempts=3, base_delay=timedelta(seconds=10), max_delay=timedelta(seconds=25))
def flaky(name: str, *, times: int = 1) -> str:
    return _work(name, times=times)


@pytest.fixture
def work(monkeypatch):
    work = mock.Mock(return_value="done")
    monkeypatch.setattr(f"{__name__}._work", work)
    return work


@pytest.fixture
def finished():
    """The result of every task run, in the order they finished."""
    results = []

    def record(sender, task_result, **kwargs):
        results.append(task_result)

    task_finished.connect(record)
    yield results
    task_finished.disconnect(record)


@pytest.fixture
def queue(settings, monkeypatch):
    """A backend that holds tasks (with their run_after) instead of running them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    backend = cast(DummyBackend, default_task_backend)
    backend.clear()
    return backend


def run(result):
    return result.task.call(*result.args, **result.kwargs)


# ---- backoff ---------------------------------------------------------------------


def test_backoff_doubles_from_the_base_delay():
    base, cap = timedelta(seconds=30), timedelta(hours=6)
    assert [backoff(n, base, cap) for n in range(1, 6)] == [
        timedelta(seconds=s) for s in (30, 60, 120, 240, 480)
    ]


def test_backoff_never_exceeds_the_cap():
    base, cap = timedelta(seconds=30), timedelta(hours=6)
    assert backoff(10, base, cap) == timedelta(hours=4, minutes=16)
    assert backoff(11, base, cap) == cap
    assert backoff(40, base, cap) == cap


# ---- run as they are in tests and development: immediately ----------------------------


def test_a_task_that_succeeds_runs_once(work, finished):
    result = flaky.enqueue("a", times=2)

    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == "done"
    work.assert_called_once_with("a", times=2)
    assert len(finished) == 1


def test_a_failing_task_is_retried_with_its_arguments_until_it_succeeds(work, finished, caplog):
    work.side_effect = [ConnectionError("down"), ConnectionError("still down"), "done"]
    with caplog.at_level(logging.WARNING, logger="townhall.core.tasks"):
        flaky.enqueue("a", times=2)

    assert work.call_args_list == [mock.call("a", times=2)] * 3
    assert [r.status for r in finished] == [TaskResultStatus.SUCCESSFUL] * 3
    assert finished[0].return_value == "done"  # the last attempt finishes first
    assert [r.kwargs.get("attempt", 1) for r in finished] == [3, 2, 1]
    assert [record.getMessage() for record in caplog.records] == [
        "flaky failed (attempt 1 of 3); retrying in 0:00:10",
        "flaky failed (attempt 2 of 3); retrying in 0:00:20",
    ]


def test_a_task_that_keeps_failing_stops_after_max_attempts_and_fails(work, finished, caplog):
    work.side_effect = ValueError("broken")
    with caplog.at_level(logging.WARNING, logger="townhall.core.tasks"):
        flaky.enqueue("a")

    assert work.call_count == 3
    last = finished[0]
    assert last.status == TaskResultStatus.FAILED
    assert last.errors[0].exception_class is ValueError
    assert "flaky failed for good after 3 attempts" in caplog.text


# ---- run by a worker: retried later --------------------------------------------------------


def test_a_failure_is_enqueued_again_after_the_base_delay(work, queue):
    work.side_effect = OSError("down")
    flaky.enqueue("a", times=2)
    (first,) = queue.results

    assert run(first) is None
    (_, retry) = queue.results
    assert list(retry.args) == ["a"]
    assert retry.kwargs == {"times": 2, "attempt": 2}
    assert retry.task.run_after == NOW + timedelta(seconds=10)


def test_each_retry_waits_longer_up_to_the_cap(work, queue):
    work.side_effect = OSError("down")
    flaky.enqueue("a")
    run(queue.results[0])
    run(queue.results[1])

    waits = [r.task.run_after - NOW for r in queue.results[1:]]
    assert waits == [timedelta(seconds=10), timedelta(seconds=20)]


def test_the_last_attempt_raises_and_is_not_enqueued_again(work, queue):
    work.side_effect = OSError("down")
    flaky.enqueue("a")
    run(queue.results[0])
    run(queue.results[1])

    with pytest.raises(OSError, match="down"):
        run(queue.results[2])
    assert len(queue.results) == 3


def test_a_success_on_retry_enqueues_nothing_more(work, queue):
    work.side_effect = [OSError("down"), "done"]
    flaky.enqueue("a")
    run(queue.results[0])

    assert run(queue.results[1]) == "done"
    assert len(queue.results) == 2
