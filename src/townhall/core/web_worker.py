"""gunicorn's threaded worker, telling Townhall how long each request waited
for a thread (ADR 0063).

gunicorn's `gthread` worker accepts connections as fast as they come and
hands each to its pool of threads; when every thread is busy the request
waits in the pool's queue, for as long as it takes. This worker notes when a
connection was handed to the pool and, when a thread takes it up, puts the
seconds it waited into the request's WSGI environ as `townhall.queue_seconds`.
`townhall.core.busy.BusyMiddleware` answers a request that waited longer than
`WEB_MAX_WAIT` with the "service is busy" page instead of doing its work.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

from townhall.core.busy import QUEUE_SECONDS

_current = threading.local()


class Worker(ThreadWorker):
    """`gthread`, with each request's wait for a thread measured."""

    wsgi: Callable[..., Iterable[bytes]]

    def enqueue_req(self, conn: Any) -> None:
        # Runs in the worker's main thread, as the connection (new, or kept
        # alive and readable again) is handed to the thread pool.
        conn.townhall_enqueued = time.monotonic()
        super().enqueue_req(conn)

    def handle(self, conn: Any) -> Any:
        enqueued = getattr(conn, "townhall_enqueued", None)
        _current.waited = None if enqueued is None else time.monotonic() - enqueued
        try:
            return super().handle(conn)
        finally:
            _current.waited = None

    def load_wsgi(self) -> None:
        super().load_wsgi()
        self.wsgi = with_queue_seconds(self.wsgi)


def with_queue_seconds(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """The WSGI application `app`, told how long this thread's request waited."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        waited = getattr(_current, "waited", None)
        if waited is not None:
            environ[QUEUE_SECONDS] = waited
        return app(environ, start_response)

    return application
