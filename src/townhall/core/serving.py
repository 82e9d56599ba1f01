"""How `townhall serve` runs: gunicorn's master and its worker processes, and
the task workers beside them, each started again when it dies (ADR 0030).

`townhall serve` is a small supervisor. It starts gunicorn (`python -m
gunicorn`, configured by `townhall.core.gunicorn_conf`) as one child process,
which forks the web worker processes, and, with `--with-worker`, one or more
`townhall db_worker` processes. SIGTERM or Ctrl+C stops them all gracefully;
SIGHUP reloads: gunicorn starts new web workers and retires the old ones once
their requests are done, and each task worker finishes its task in hand and is
started again, so new code and settings are picked up without refusing a
request.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

WORKER_COMMAND = [sys.executable, "-m", "townhall.cli", "db_worker", "--queue-name", "*"]
RQ_WORKER_COMMAND = [
    sys.executable,
    "-m",
    "townhall.cli",
    "rqworker",
    "--with-scheduler",  # runs retries when their `run_after` comes
    "--job-class",
    "django_tasks_rq.backend.Job",
    "default",
]


def worker_command(backend: str) -> list[str]:
    """The task worker for the configured Django Tasks backend."""
    return RQ_WORKER_COMMAND if backend == "django_tasks_rq.RQBackend" else WORKER_COMMAND


def cores() -> int:
    """The CPU cores this process may run on (its affinity, so a container's
    or a `taskset`'s limit counts), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def default_web_workers() -> int:
    """Web worker processes when neither `--workers` nor `WEB_CONCURRENCY` says:
    two per core. A request spends part of its time waiting for the database,
    and two threads in each process cover the rest (see docs/operations.md)."""
    return 2 * cores()


@dataclass(frozen=True)
class WebOptions:
    """What gunicorn is told, from `townhall serve`'s options."""

    host: str
    port: int
    workers: int
    threads: int
    timeout: int
    graceful_timeout: int
    keepalive: int
    max_requests: int
    backlog: int

    def command(self) -> list[str]:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "python:townhall.core.gunicorn_conf",
            "--bind",
            f"{host}:{self.port}",
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            "--timeout",
            str(self.timeout),
            "--graceful-timeout",
            str(self.graceful_timeout),
            "--keep-alive",
            str(self.keepalive),
            "--max-requests",
            str(self.max_requests),
            # Workers restart at different times, never all at once.
            "--max-requests-jitter",
            str(max(1, self.max_requests // 10)) if self.max_requests else "0",
            "--backlog",
            str(self.backlog),
            "townhall.wsgi:application",
        ]


class Supervisor:
    """Runs `command` and starts it again whenever it stops, after a wait that
    doubles from `delay` up to `delay_max` (and starts again from `delay` once
    it has run for a while), until `stop` is called. `restart` stops it
    gracefully and starts it again at once (a reload)."""

    def __init__(
        self,
        command: list[str],
        say: Callable[[str], None],
        *,
        name: str = "Task worker",
        delay: float = 1.0,
        delay_max: float = 60.0,
    ) -> None:
        self.command = command
        self.say = say
        self.name = name
        self.delay = delay
        self.delay_max = delay_max
        self.process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._restarting = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._supervise, name=f"{name} supervisor")

    def start(self) -> None:
        self._thread.start()

    def _supervise(self) -> None:
        delay = self.delay
        while True:
            with self._lock:
                if self._stopping.is_set():
                    return
                process = self.process = subprocess.Popen(self.command)  # noqa: S603
                self.say(f"{self.name} started (pid {process.pid}).")
            started = time.monotonic()
            code = process.wait()
            if self._stopping.is_set():
                return
            if self._restarting.is_set():
                self._restarting.clear()
                self.say(f"{self.name} stopped to reload; starting it again.")
                continue
            if time.monotonic() - started > self.delay_max:
                delay = self.delay
            self.say(f"{self.name} stopped (exit code {code}); starting it again in {delay:g} s.")
            if self._stopping.wait(delay):
                return
            delay = min(delay * 2, self.delay_max)

    def restart(self) -> None:
        """Let the process finish what it is doing (SIGTERM), then start it again."""
        with self._lock:
            process = self.process
            if process is None or process.poll() is not None or self._stopping.is_set():
                return
            self._restarting.set()
            process.terminate()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop supervising and stop the process: SIGTERM lets a task worker
        finish the task in hand (long enough for an SMTP call to time out),
        then it is killed."""
        with self._lock:
            self._stopping.set()
            process = self.process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._thread.is_alive():
            self._thread.join()
