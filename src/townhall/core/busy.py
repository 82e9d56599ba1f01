"""Load shedding: a request that waited too long for a thread is answered
"Sorry, the service is busy" (503, Retry-After) instead of being served
(ADR 0063).

Under `townhall serve`, each web worker (`core.web_worker`) tells the request
how long it waited for a free thread; with `WEB_PROXY_QUEUE_TIME`, a trusted
proxy's `X-Request-Start` says how long since the proxy took it, which also
counts the time in the proxy's and the kernel's queues (ADR 0073). When the
longer of the two is over `WEB_MAX_WAIT`
seconds, the server is taking requests faster than it can answer them, and
serving this one late would only make every later one later still: it is
refused at once, before the session, the database or the view is touched, so
a refused form post writes nothing and the resident can send it again.
Requests already being served are never interrupted. Health checks are always
answered, and static files are served before this runs.
"""

from __future__ import annotations

import logging
import re
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


# What a trusted proxy says of when it took the request (WEB_PROXY_QUEUE_TIME):
# `t=` and a Unix time in seconds, milliseconds or microseconds (nginx's
# `t=${msec}` sends seconds with three decimals).
REQUEST_START = "HTTP_X_REQUEST_START"
_REQUEST_START_VALUE = re.compile(r"\s*(?:t=)?(\d{1,20}(?:\.\d{1,9})?)\s*")
# A start further back than this is a wrong clock or a wrong header, not a queue.
_LONGEST_BELIEVED_WAIT = 3600.0


def proxy_waited(value: str, *, now: float) -> float | None:
    """Seconds since the proxy took the request, by its `X-Request-Start`
    `value`; None if the value is not a time or is too far from `now` (a Unix
    time) to be believed. A start a little in the future (clocks a few
    milliseconds apart) is no wait."""
    matched = _REQUEST_START_VALUE.fullmatch(value)
    if matched is None:
        return None
    started = float(matched[1])
    if started > 1e14:  # microseconds
        started /= 1e6
    elif started > 1e11:  # milliseconds
        started /= 1e3
    waited = now - started
    if not -_LONGEST_BELIEVED_WAIT < waited < _LONGEST_BELIEVED_WAIT:
        return None
    return max(0.0, waited)


def seconds_waited(request: HttpRequest) -> float | None:
    """How long this request waited before Townhall began on it: for a thread
    (as the web worker says), or, with WEB_PROXY_QUEUE_TIME, since the trusted
    proxy in front took it, whichever is longer; None when nothing says."""
    meta = request.META
    waited = meta.get(QUEUE_SECONDS)
    start = meta.get(REQUEST_START) if settings.WEB_PROXY_QUEUE_TIME else None
    if start:
        # ProxyHeadersMiddleware has removed the header unless a trusted proxy sent it.
        at_proxy = proxy_waited(start, now=time.time())
        if at_proxy is not None and (waited is None or at_proxy > waited):
            waited = at_proxy
    return waited


def waited_too_long(request: HttpRequest) -> float | None:
    """How long this request waited, if that is longer than WEB_MAX_WAIT
    (never, when it is 0 or nothing says how long it waited); else None."""
    limit = settings.WEB_MAX_WAIT
    waited = seconds_waited(request)
    return waited if limit > 0 and waited is not None and waited > limit else None


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
            "%.1f s (WEB_MAX_WAIT is %g s).",
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
        waited = waited_too_long(request)
        if waited is not None and request.path not in ALWAYS_ANSWERED:
            _refusals.note(waited)
            return self.refuse(request)  # type: ignore[return-value]  # not async
        return self.get_response(request)
