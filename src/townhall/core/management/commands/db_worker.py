"""`townhall db_worker`: django-tasks-db's worker, made to survive a lost
database connection.

django-tasks-db's worker exits when the database goes away while it claims a
task, or while it records the outcome of one (its own retries reuse the broken
connection), which leaves every later task waiting until someone restarts it.
This worker closes the broken connections, waits a little (longer each time, up
to half a minute) and carries on. A task whose outcome could not be recorded is
recorded as failed once the database answers again; it is not run again.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.db import Error as DatabaseError
from django.db import connections
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("townhall.core.worker")


def close_connections() -> None:
    """Drop every database connection of this thread; the next query reconnects."""
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except DatabaseError:
            # A connection that is already gone can fail to close; it is dropped anyway.
            connection.connection = None


class Worker(db_worker.Worker):
    reconnect_delay = 1.0  # seconds before the first reconnection
    reconnect_delay_max = 30.0
    unrecorded: tuple[DBTaskResult, DatabaseError] | None = None

    def run(self) -> None:
        delay = self.reconnect_delay
        last_failure = float("-inf")
        while True:
            try:
                self.record_unrecorded()
                return super().run()
            except DatabaseError as error:
                if not self.running:
                    return  # stopping anyway
                if time.monotonic() - last_failure > 2 * self.reconnect_delay_max:
                    delay = self.reconnect_delay  # it worked for a while: start again
                last_failure = time.monotonic()
                logger.warning(
                    "Database unavailable (%s); the worker reconnects in %g s.",
                    type(error).__name__,
                    delay,
                )
                close_connections()
                time.sleep(delay)
                delay = min(delay * 2, self.reconnect_delay_max)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        try:
            super().run_task(db_task_result)
        except DatabaseError as error:
            # The task ran (or failed) but its outcome could not be written. The
            # error's traceback includes the task's own exception, if it raised.
            logger.warning(
                "Task id=%s: its outcome could not be recorded (%s); reconnecting.",
                db_task_result.id,
                type(error).__name__,
            )
            self.unrecorded = (db_task_result, error)
            close_connections()
            self.record_unrecorded()

    def record_unrecorded(self) -> None:
        """Record as failed the task whose outcome a lost connection kept from
        being written. Raises if the database is still unavailable."""
        if self.unrecorded is not None:
            db_task_result, error = self.unrecorded
            db_task_result.set_failed(error)
            self.unrecorded = None


class Command(db_worker.Command):
    help = (
        "Run the background task worker (django-tasks-db's, reconnecting when the "
        "database connection is lost)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # django-tasks-db's handle builds its Worker by name: have it build ours.
        original = db_worker.Worker
        db_worker.Worker = Worker  # type: ignore[misc]
        try:
            super().handle(*args, **options)
        finally:
            db_worker.Worker = original  # type: ignore[misc]
