"""Faults for tests to inject: the clock moving on, the database connection
dropping at a chosen point, and worker processes that can be killed.

On PostgreSQL a connection is really dropped: its backend is terminated from a
second connection (`pg_terminate_backend`), so the query that was about to run
fails, and so does everything after it on that connection until Django opens a
new one. SQLite has no server to drop it: there the same query fails once with
an OperationalError, which is what SQLite itself raises when it cannot read,
write or lock the database file.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.db import OperationalError, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

WAIT = 60.0  # seconds before a wait gives up: only stops a hang, never a timing check


# ---- the clock -------------------------------------------------------------------------


class Clock:
    """Django's clock (`timezone.now`) in this process, moved forward on demand,
    so a test can let a backoff or a staleness threshold pass without waiting.
    Rows written meanwhile carry the moved time too, so they stay consistent."""

    def __init__(self, monkeypatch: Any) -> None:
        self.offset = timedelta(0)
        real_now = timezone.now
        monkeypatch.setattr(timezone, "now", lambda: real_now() + self.offset)

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


# ---- dropping the database connection ---------------------------------------------------


def terminate_backend(wrapper: BaseDatabaseWrapper) -> None:
    """Terminate a PostgreSQL connection's backend from a second connection, and
    wait until it has gone, so whatever is sent on it next fails."""
    wrapper.ensure_connection()
    pid = wrapper.connection.info.backend_pid
    other = connections.create_connection(wrapper.alias)
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            deadline = time.monotonic() + WAIT
            while time.monotonic() < deadline:
                cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
                if cursor.fetchone() is None:
                    return
                time.sleep(0.01)
        raise AssertionError(f"backend {pid} was not gone within {WAIT} s")
    finally:
        other.close()


def _does(sql: str, start: str) -> bool:
    """Whether `sql` starts with `start`, or is a WITH statement with `start`
    as one of its parts."""
    return sql.startswith(start) or (sql.startswith("WITH ") and f"({start}" in sql)


class ConnectionDrop:
    """Drops this thread's default database connection once, at a chosen point:
    just `before` the first query whose SQL starts with a given text (or that
    has it as one of its parts: `WITH … AS (INSERT INTO …)`, rows written
    together by `core.inserts.insert_rows`), or at the first commit after such
    a query (`at_commit_after`). `happened` says whether
    it did, so a test never passes because its fault was never injected.

    Use it as a context manager around the code under test."""

    def __init__(self, *, before: str | None = None, at_commit_after: str | None = None) -> None:
        if (before is None) == (at_commit_after is None):
            raise ValueError("say either before= or at_commit_after=")
        self.before = before
        self.at_commit_after = at_commit_after
        self.happened = False
        self._armed_for_commit = False
        self._commit: Callable[[], None] | None = None

    def __enter__(self) -> ConnectionDrop:
        connection.execute_wrappers.append(self._on_query)
        self._commit = connection._commit  # type: ignore[attr-defined]
        connection._commit = self._on_commit  # type: ignore[attr-defined]
        return self

    def __exit__(self, *exc_info: object) -> None:
        connection.execute_wrappers.remove(self._on_query)
        del connection._commit  # type: ignore[attr-defined]  # the class's again

    def _drop(self) -> None:
        self.happened = True
        if connection.vendor == "postgresql":
            terminate_backend(connection)
        else:
            raise OperationalError("disk I/O error (injected by the test)")

    def _on_query(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if not self.happened:
            if self.before is not None and _does(sql, self.before):
                self._drop()
            elif self.at_commit_after is not None and _does(sql, self.at_commit_after):
                self._armed_for_commit = True
        return execute(sql, params, many, context)

    def _on_commit(self) -> None:
        if self._armed_for_commit and not self.happened:
            self._drop()
        if self._commit is not None:
            self._commit()


# ---- worker processes --------------------------------------------------------------------


def database_url() -> str:
    """The URL of the database this test uses, for another process to use it too."""
    settings = connection.settings_dict
    user = quote(settings["USER"] or "", safe="")
    password = quote(settings["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = quote(settings["HOST"] or "localhost", safe="")  # a socket's folder, too
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    return f"postgres://{credentials}{host}{port}/{settings['NAME']}"


@contextlib.contextmanager
def shared_database(folder: Path) -> Iterator[str]:
    """The URL at which processes started inside the block see this test's
    database, committed rows and all.

    PostgreSQL's test database is simply shared. SQLite's is in this process's
    memory: it is copied to a file in `folder` for the block, and what the
    processes wrote is copied back when the block ends. Start no query of your
    own inside the block."""
    if connection.vendor == "postgresql":
        yield database_url()
        return
    path = folder / "shared.sqlite3"
    for leftover in folder.glob("shared.sqlite3*"):
        leftover.unlink()
    connection.ensure_connection()
    with contextlib.closing(sqlite3.connect(path)) as copy:
        connection.connection.backup(copy)
    yield f"sqlite:///{path}"
    with contextlib.closing(sqlite3.connect(path)) as copy:
        copy.backup(connection.connection)


def townhall_environment(folder: Path, database: str, **extra: str) -> dict[str, str]:
    """The environment of a `townhall` process in a test: test settings, the
    given database, database tasks."""
    inherited = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}}
    return {
        **inherited,
        "TOWNHALL_ENV": "test",
        "TOWNHALL_VAR_DIR": str(folder),
        "DATABASE_URL": database,
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


class WorkerProcess:
    """A `townhall db_worker` process and the lines it prints."""

    def __init__(self, environment: dict[str, str], *options: str) -> None:
        command = ["db_worker", "--queue-name", "*", "--no-startup-delay", *options]
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "townhall.cli", *command],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.printed: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout or ():
            self.lines.put(line)

    def output(self) -> str:
        with contextlib.suppress(queue.Empty):
            while True:
                self.printed.append(self.lines.get_nowait())
        return "".join(self.printed)

    def wait_until(self, event: threading.Event, what: str) -> None:
        """Wait until `event` is set by what the worker does, failing at once
        with its output if it exits first."""
        deadline = time.monotonic() + WAIT
        while not event.wait(0.05):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"the worker never got to {what}: {self.output()}")

    def kill(self) -> int:
        """SIGKILL: no handler runs, nothing is tidied up, as with the OOM killer."""
        self.process.send_signal(signal.SIGKILL)
        return self.process.wait(timeout=WAIT)

    def wait(self) -> int:
        """Wait for a `--batch` worker to finish the work there is, and exit."""
        try:
            return self.process.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"the worker did not finish: {self.output()}") from None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.kill()
