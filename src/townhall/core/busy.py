"""Load shedding: a request that waited too long for a thread is answered
"Sorry, the service is busy" (503, Retry-After) instead of being served
(ADR 0063).

Under `townhall serve`, each web worker (`core.web_worker`) tells the request
how long it waited for a free thread. When that is over `WEB_MAX_WAIT`
seconds, the server is taking requests faster than it can answer them, and
serving this one late would only make every later one later still: it is
refused at once, before the session, the database or the view is touched, so
a refused form post writes nothing and the resident can send it again.
Requests already being served are never interrupted. Health checks are always
answered, and static files are served before this runs.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from townhall.core.machine_errors import machine_error

logger = logging.getLogger(__name__)

# Where `core.web_worker` puts the seconds a request waited for a thread.
QUEUE_SECONDS = "townhall.queue_seconds"
ALWAYS_ANSWERED = ("/healthz", "/readyz")
# Under a surge every refusal would be a log line: one a minute per process says it.
LOG_EVERY_SECONDS = 60.0


def waited_too_long(request: HttpRequest) -> bool:
    """Whether this request waited for a thread longer than WEB_MAX_WAIT
    (never, when it is 0 or the server does not say how long it waited)."""
    limit = settings.WEB_MAX_WAIT
    waited = request.META.get(QUEUE_SECONDS)
    return bool(limit > 0 and waited is not None and waited > limit)


def busy_response(request: HttpRequest) -> HttpResponse:
    """The "service is busy" answer: the council's page, or an API's error
    document, with when to try again."""
    response = machine_error(request, 503) or render(request, "errors/busy.html", status=503)
    response["Retry-After"] = str(settings.WEB_BUSY_RETRY_AFTER)
    add_never_cache_headers(response)
    # Expected under load, and counted by `_note_refused`: not an error per request.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


class _Refusals:
    """How many requests this process refused since it last said so."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.count = 0
        self.logged_at = -LOG_EVERY_SECONDS

    def note(self, waited: float) -> None:
        with self.lock:
            self.count += 1
            now = time.monotonic()
            if now - self.logged_at < LOG_EVERY_SECONDS:
                return
            count, self.count, self.logged_at = self.count, 0, now
        # No path or address: they may identify a resident.
        logger.warning(
            "Busy: %d request(s) answered 503 since the last report; the latest waited "
            "%.1f s for a thread (WEB_MAX_WAIT is %g s).",
            count,
            waited,
            settings.WEB_MAX_WAIT,
        )


_refusals = _Refusals()


class BusyMiddleware:
    """Refuse, with the busy page, a request that waited too long for a thread.

    It runs after the language is chosen (so the page is in the resident's
    language) and the CSRF cookie is read (so the page's language switcher
    works), and before anything that reads the session or the database. The
    page gets the same framing and content-security headers as any other."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.refuse = XFrameOptionsMiddleware(CSPMiddleware(busy_response))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if waited_too_long(request) and request.path not in ALWAYS_ANSWERED:
            _refusals.note(request.META[QUEUE_SECONDS])
            return self.refuse(request)  # type: ignore[return-value]  # not async
        return self.get_response(request)
