"""Serve Townhall with waitress, optionally with a task worker beside it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the web application (waitress) and, with --with-worker, a task worker."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help="Also run `townhall db_worker` and stop it when the server stops.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve

        from townhall.wsgi import application

        worker = None
        if options["with_worker"]:
            worker = subprocess.Popen(
                [sys.executable, "-m", "townhall.cli", "db_worker", "--queue-name", "*"]
            )
            self.stdout.write(f"Task worker started (pid {worker.pid}).")

        def stop(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        self.stdout.write(f"Serving on http://{options['host']}:{options['port']}/ (Ctrl+C stops)")
        try:
            serve(
                application,
                host=options["host"],
                port=options["port"],
                threads=options["threads"],
                ident="Townhall",
            )
        except KeyboardInterrupt:
            pass
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=30)  # long enough for an SMTP call to time out
