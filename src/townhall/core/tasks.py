"""Retries for background tasks, written once for all of them.

The Tasks API runs a task once. A task made with `retrying_task` that raises is
enqueued again after an exponential backoff (`run_after`), up to `max_attempts`;
the last failure is logged and re-raised so the backend records it as failed.

`enqueue_on_commit` starts a task with the caller's transaction: with the
database queue its row is written in that transaction (a transactional
outbox: the work and its task commit together, or neither does); with a
broker it is sent once the transaction has committed, and a failure to send
never undoes or hides what committed (ADR 71).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, router, transaction
from django.db import Error as DatabaseError
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task
from django_tasks.signals import task_enqueued
from django_tasks.utils import normalize_json
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from townhall.core.db import connections_drop_broken

logger = logging.getLogger(__name__)


def call_now(enqueue: Callable[[], object], name: str) -> None:
    """Call `enqueue` (something that enqueues a task, after a commit) with the
    safety of `enqueue_on_commit`: a database failure is logged, not raised."""
    try:
        enqueue()
    except DatabaseError as error:
        logger.warning(
            "%s could not be enqueued (%s); outbox_retry will find its work.",
            name,
            type(error).__name__,
        )
        connections_drop_broken()


def enqueue_on_commit(the_task: Task[..., Any], *args: Any) -> None:
    """Enqueue `the_task` with `args` so that it runs only if the current
    transaction commits (never, if it rolls back).

    With the database queue, inside a transaction on the queue's own database,
    the task's row is written now, in that transaction: it commits with the
    work it is about, or neither does, and costs no commit of its own. A
    failure to write it is a failure of the transaction, raised to the caller
    like any other (nothing is half-written, and nothing is reported done).

    With any other queue (a broker), or outside a transaction, the task is
    enqueued once the transaction commits. What committed stays committed, and
    is reported as done, if the task cannot be enqueued then: the failure is
    logged, a connection it left broken is dropped so the rest of the request
    uses a new one, and the work is left for the command that finds lost work
    (`townhall outbox_retry`), which is why only a task whose work that command
    finds may be enqueued this way."""
    if _commits_with_caller(the_task):
        the_task.enqueue(*args)
        return
    transaction.on_commit(lambda: call_now(lambda: the_task.enqueue(*args), the_task.name))


def task_row(the_task: Task[..., Any], *args: Any) -> DBTaskResult | None:
    """The database queue's row for `the_task` with `args`, unsaved, for a
    caller that writes it with its own rows in one statement
    (core.inserts.insert_rows), and must then call `task_written`. It is the
    row the backend's own enqueue writes. None when the task would not commit
    with the caller (a broker, or no transaction open): use
    `enqueue_on_commit` then."""
    if not _commits_with_caller(the_task):
        return None
    backend = cast(DatabaseBackend, the_task.get_backend())  # as _commits_with_caller found
    backend.validate_task(the_task)  # type: ignore[arg-type]  # typed for django.tasks
    return DBTaskResult(
        id=backend._get_id(),  # the backend's own choice of id (its ID_FUNCTION option)
        args_kwargs=normalize_json({"args": list(args), "kwargs": {}}),
        priority=the_task.priority,
        task_path=the_task.module_path,
        queue_name=the_task.queue_name,
        # What the backend's pre_save receiver sets, which insert_rows does not send.
        run_after=the_task.run_after or get_date_max(),
        backend_name=backend.alias,
    )


def task_written(row: DBTaskResult) -> None:
    """Tell listeners (logging, the test workers) that `row`, written by the
    caller, is enqueued, as the backend's own enqueue does."""
    task_enqueued.send(type(row.task.get_backend()), task_result=row.task_result)


def _commits_with_caller(the_task: Task[..., Any]) -> bool:
    """Whether `the_task`'s row would be written in the caller's open transaction."""
    if not isinstance(the_task.get_backend(), DatabaseBackend):
        return False
    return (
        router.db_for_write(DBTaskResult) == DEFAULT_DB_ALIAS
        and transaction.get_connection().in_atomic_block
    )


# The backoff of `retrying_task` unless a task names its own.
DEFAULT_BASE_DELAY = timedelta(seconds=30)
DEFAULT_MAX_DELAY = timedelta(hours=6)


def backoff(attempt: int, base: timedelta, cap: timedelta) -> timedelta:
    """The wait before attempt `attempt + 1`: base, 2 * base, 4 * base … at most cap."""
    return min(base * (2 ** (attempt - 1)), cap)


def retrying_task(
    *,
    max_attempts: int = 8,
    base_delay: timedelta = DEFAULT_BASE_DELAY,
    max_delay: timedelta = DEFAULT_MAX_DELAY,
) -> Callable[[Callable[..., Any]], Task[..., Any]]:
    def decorate(func: Callable[..., Any]) -> Task[..., Any]:
        @functools.wraps(func)
        def run(*args: Any, attempt: int = 1, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except Exception:
                if attempt >= max_attempts:
                    logger.exception("%s failed for good after %d attempts", func.__name__, attempt)
                    raise
                delay = backoff(attempt, base_delay, max_delay)
                logger.warning(
                    "%s failed (attempt %d of %d); retrying in %s",
                    func.__name__,
                    attempt,
                    max_attempts,
                    delay,
                    exc_info=True,
                )
                again = the_task
                if again.get_backend().supports_defer:
                    again = again.using(run_after=timezone.now() + delay)
                again.enqueue(*args, attempt=attempt + 1, **kwargs)
                return None

        the_task: Task[..., Any] = task(run)
        return the_task

    return decorate
