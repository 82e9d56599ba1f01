"""Serve Townhall with waitress, optionally with a task worker beside it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

WORKER_COMMAND = [sys.executable, "-m", "townhall.cli", "db_worker", "--queue-name", "*"]


class WorkerSupervisor:
    """Runs `townhall db_worker` and starts it again whenever it stops, after a
    wait that doubles from `delay` up to `delay_max` (and starts again from
    `delay` once a worker has run for a while), until `stop` is called."""

    def __init__(
        self,
        command: list[str],
        say: Callable[[str], None],
        *,
        delay: float = 1.0,
        delay_max: float = 60.0,
    ) -> None:
        self.command = command
        self.say = say
        self.delay = delay
        self.delay_max = delay_max
        self.process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._supervise, name="worker-supervisor")

    def start(self) -> None:
        self._thread.start()

    def _supervise(self) -> None:
        delay = self.delay
        while True:
            with self._lock:
                if self._stopping.is_set():
                    return
                process = self.process = subprocess.Popen(self.command)  # noqa: S603
                self.say(f"Task worker started (pid {process.pid}).")
            started = time.monotonic()
            code = process.wait()
            if self._stopping.is_set():
                return
            if time.monotonic() - started > self.delay_max:
                delay = self.delay
            self.say(f"Task worker stopped (exit code {code}); starting it again in {delay:g} s.")
            if self._stopping.wait(delay):
                return
            delay = min(delay * 2, self.delay_max)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop supervising and stop the worker: SIGTERM lets it finish the task
        in hand (long enough for an SMTP call to time out), then it is killed."""
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


def waitress_options() -> dict[str, Any]:
    """What waitress needs from Townhall's settings (ADR 0017).

    Behind proxies, waitress passes the `X-Forwarded-*` headers on and
    `ProxyHeadersMiddleware` decides whether to believe them; otherwise waitress
    removes them first. Waitress buffers a whole request before the application
    sees it, so it gets the body limit too: a request over it is refused as soon
    as its headers (or, chunked, its first bytes past the limit) arrive.
    """
    return {
        "clear_untrusted_proxy_headers": not settings.BEHIND_PROXY,
        # Waitress refuses a body of this many bytes or more. Up to twice the
        # application's limit reaches it, so that a form page sent with too many
        # files is shown again with an error (RequestSizeLimitMiddleware).
        "max_request_body_size": 2 * settings.TOWNHALL_MAX_REQUEST_BYTES + 1,
    }


class Command(BaseCommand):
    help = "Serve the web application (waitress) and, with --with-worker, a task worker."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help=(
                "Also run `townhall db_worker`, start it again whenever it stops, "
                "and stop it when the server stops."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve

        from townhall.wsgi import application

        supervisor = None
        if options["with_worker"]:
            supervisor = WorkerSupervisor(WORKER_COMMAND, self._say)
            supervisor.start()

        def stop(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        if settings.BEHIND_PROXY:
            self._say(
                f"Behind a proxy: X-Forwarded-* believed from {', '.join(settings.TRUSTED_PROXIES)}"
                f" (TRUSTED_PROXY_COUNT={settings.TRUSTED_PROXY_COUNT})."
            )
        self._say(f"Serving on http://{options['host']}:{options['port']}/ (Ctrl+C stops)")
        try:
            serve(
                application,
                host=options["host"],
                port=options["port"],
                threads=options["threads"],
                ident="Townhall",
                **waitress_options(),
            )
        except KeyboardInterrupt:
            pass
        finally:
            if supervisor is not None:
                supervisor.stop()

    def _say(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()
