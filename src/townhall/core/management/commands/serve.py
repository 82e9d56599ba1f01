"""Serve Townhall with gunicorn on every core, optionally with task workers
beside it, each started again when it dies (ADR 0030, `core/serving.py`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from townhall.core.serving import Supervisor, WebOptions, default_web_workers, worker_command
from townhall.env import env_int


def _positive(name: str, value: int) -> int:
    if value < 1:
        raise CommandError(f"{name} must be at least 1, not {value}")
    return value


class Command(BaseCommand):
    help = (
        "Serve the web application (gunicorn, worker processes sized from the CPU cores) "
        "and, with --with-worker, task workers."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=env_int("PORT", 8000))
        parser.add_argument(
            "--workers",
            type=int,
            default=env_int("WEB_CONCURRENCY", default_web_workers()),
            help="web worker processes (default: WEB_CONCURRENCY, or two per CPU core)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=env_int("WEB_THREADS", 2),
            help="threads in each web worker process (default: WEB_THREADS, or 2)",
        )
        parser.add_argument(
            "--timeout",
            type=int,
            default=env_int("WEB_TIMEOUT", 30),
            help="seconds a request may take before its worker is restarted (default: 30)",
        )
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help=(
                "Also run `townhall db_worker`, start it again whenever it stops, "
                "and stop it when the server stops."
            ),
        )
        parser.add_argument(
            "--task-workers",
            type=int,
            default=env_int("TASK_WORKERS", 1),
            help="task worker processes with --with-worker (default: TASK_WORKERS, or 1)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        web = WebOptions(
            host=options["host"],
            port=options["port"],
            workers=_positive("--workers", options["workers"]),
            threads=_positive("--threads", options["threads"]),
            timeout=_positive("--timeout", options["timeout"]),
            graceful_timeout=env_int("WEB_GRACEFUL_TIMEOUT", 30),
            keepalive=env_int("WEB_KEEPALIVE", 5),
            max_requests=env_int("WEB_MAX_REQUESTS", 10_000),
            backlog=env_int("WEB_BACKLOG", 2048),
        )
        task_workers = _positive("--task-workers", options["task_workers"])
        if settings.BEHIND_PROXY:
            self._say(
                f"Behind a proxy: X-Forwarded-* believed from {', '.join(settings.TRUSTED_PROXIES)}"
                f" (TRUSTED_PROXY_COUNT={settings.TRUSTED_PROXY_COUNT})."
            )
        server = subprocess.Popen(web.command())  # noqa: S603
        supervisors = []
        if options["with_worker"]:
            command = worker_command(settings.TASKS["default"]["BACKEND"])
            supervisors = [Supervisor(command, self._say) for _ in range(task_workers)]
            for supervisor in supervisors:
                supervisor.start()

        stopping = threading.Event()

        def stop(signum: int, frame: Any) -> None:
            stopping.set()
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)  # gunicorn's graceful stop

        def reload(signum: int, frame: Any) -> None:
            self._say(
                "Reloading: new web workers and task workers, each once its work in hand is done."
            )
            if server.poll() is None:
                server.send_signal(signal.SIGHUP)
            for supervisor in supervisors:
                supervisor.restart()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGHUP, reload)
        self._say(
            f"Serving on http://{web.host}:{web.port}/ with {web.workers} web worker processes "
            f"of {web.threads} threads (Ctrl+C stops, SIGHUP reloads)"
        )
        code = 0
        try:
            while True:
                try:
                    code = server.wait()
                    break
                except InterruptedError:  # pragma: no cover - PEP 475 retries
                    continue
        finally:
            for supervisor in supervisors:
                supervisor.stop()
        if not stopping.is_set():
            self._say(f"The web server stopped (exit code {code}).")
            sys.exit(code or 1)

    def _say(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()
