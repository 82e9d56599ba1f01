"""The task engines a test can run its tasks on: the database queue
(django-tasks-db, the default) and RQ over Redis (the broker-backed engine,
`TASKS_BACKEND=django_tasks_rq.RQBackend`). The tests of queued work (the
outbox, acknowledgements, retries) take the `task_engine` fixture
(src/conftest.py) and so run once on each.

Each engine is a worker in this process that runs every task as soon as one
is enqueued, through the engine itself: the task and its arguments are
written to the database table or to Redis and read back, claimed and run by
the engine's own worker code, and its outcome recorded there. A task enqueued
to run later (a retry's `run_after`) is run at once, as if the time had come:
the waits themselves are tested with the dummy backend (core/tests/test_tasks.py).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django_tasks.signals import task_enqueued

WORKER_ID = "test-worker"


class Engine:
    """Runs queued tasks until none is left, each time a task is enqueued
    (`auto`, the default) or when `drain()` is called."""

    name = ""
    backend = ""

    def __init__(self) -> None:
        self.auto = True
        self._draining = False
        self.runs = 0

    def next(self) -> bool:
        """Claim and run one queued task; False if there was none."""
        raise NotImplementedError

    def drain(self) -> None:
        if self._draining:
            return  # enqueued by a task in hand: the loop below runs it
        self._draining = True
        try:
            while self.next():
                self.runs += 1
        finally:
            self._draining = False

    def _enqueued(self, sender: Any, **kwargs: Any) -> None:
        if not self.auto:
            return
        # A task written in an open transaction (the database queue writes it
        # in its caller's) is there for a worker only once that commits. The
        # test's own transaction does not count: it stands for committed data.
        blocks = transaction.get_connection().atomic_blocks
        if any(not block._from_testcase for block in blocks):
            transaction.on_commit(self.drain)
        else:
            self.drain()

    @contextlib.contextmanager
    def running(self) -> Iterator[Engine]:
        task_enqueued.connect(self._enqueued, dispatch_uid=f"task-engine-{id(self)}")
        try:
            yield self
        finally:
            task_enqueued.disconnect(dispatch_uid=f"task-engine-{id(self)}")


class DatabaseEngine(Engine):
    """django-tasks-db: tasks are rows, claimed with SKIP LOCKED and run by
    `townhall db_worker`'s own `run_task`."""

    name = "database"
    backend = "django_tasks_db.DatabaseBackend"

    def __init__(self) -> None:
        super().__init__()
        from townhall.core.management.commands.db_worker import Worker

        self.worker = Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=WORKER_ID,
            excluded_queue_names=[],
        )

    def next(self) -> bool:
        from django_tasks import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        # Ready whatever its run_after (see the module's docstring); inside the
        # test's transaction, so the worker's own loop (which closes and opens
        # connections between tasks, tested in test_worker.py) is not used.
        with transaction.atomic():
            found = (
                DBTaskResult.objects.filter(status=TaskResultStatus.READY)
                .order_by("enqueued_at")
                .select_for_update(skip_locked=True)
                .first()
            )
            if found is None:
                return False
            found.claim(WORKER_ID)
        self.worker.run_task(found)
        return True


class RQEngine(Engine):
    """RQ: tasks are jobs in Redis, run by RQ's own worker (in this process)."""

    name = "rq"
    backend = "django_tasks_rq.RQBackend"

    def __init__(self, url: str) -> None:
        super().__init__()
        import redis
        from django_rq.queues import DjangoRQ
        from django_tasks_rq.backend import Job

        self.connection = redis.Redis.from_url(url)
        # A queue of this test's own, so test runs sharing the Redis never meet.
        self.queue = DjangoRQ(
            f"townhall-test-{uuid.uuid4().hex}",
            connection=self.connection,
            job_class=Job,
            default_timeout=60,
        )

    def get_queue(self, name: str = "default", **kwargs: Any) -> Any:
        """Stands in for `django_rq.get_queue`: every task queue is this test's own."""
        return self.queue

    def next(self) -> bool:
        from django_tasks_rq.backend import Job
        from rq import SimpleWorker
        from rq.registry import ScheduledJobRegistry

        scheduled = ScheduledJobRegistry(queue=self.queue)
        for job_id in scheduled.get_job_ids():
            job = Job.fetch(job_id, connection=self.connection)
            scheduled.remove(job)
            self.queue.enqueue_job(job)
        if not self.queue.count:
            return False
        worker = SimpleWorker([self.queue], connection=self.connection, job_class=Job)
        worker.work(burst=True, max_jobs=1, logging_level="WARNING")
        return True

    def close(self) -> None:
        self.queue.empty()
        self.connection.close()
