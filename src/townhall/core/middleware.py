from __future__ import annotations

import io
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve

from townhall.core.machine_errors import machine_error
from townhall.core.proxies import forwarded_client, peer_is_trusted

logger = logging.getLogger(__name__)

# Headers a proxy sets about the request it passes on; anyone else can forge them.
FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_FORWARDED",
    # When the proxy took the request (core.busy, WEB_PROXY_QUEUE_TIME): a
    # client that could set it could have its requests refused, or never.
    "HTTP_X_REQUEST_START",
)


class ProxyHeadersMiddleware:
    """Believe `X-Forwarded-*` only from a trusted proxy (ADR 0017).

    With `BEHIND_PROXY`, a request from a peer in `TRUSTED_PROXIES` keeps its
    `X-Forwarded-Proto` (which `SECURE_PROXY_SSL_HEADER` reads) and its
    `REMOTE_ADDR` becomes the client that the proxies name in `X-Forwarded-For`,
    so rate limits and logs see the resident, not the proxy. From any other peer,
    or without `BEHIND_PROXY`, the headers are removed before anything reads them.
    It runs first, before the HTTPS redirect.
    """

    warned = False

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        peer = meta.get("REMOTE_ADDR", "")
        if settings.BEHIND_PROXY and peer_is_trusted(peer, settings.TRUSTED_PROXIES):
            client = forwarded_client(
                meta.get("HTTP_X_FORWARDED_FOR", ""), count=settings.TRUSTED_PROXY_COUNT
            )
            meta["REMOTE_ADDR"] = client or peer
        else:
            removed = [name for name in FORWARDED_HEADERS if meta.pop(name, None) is not None]
            if removed and settings.BEHIND_PROXY:
                self._warn_once()
        return self.get_response(request)

    @classmethod
    def _warn_once(cls) -> None:
        if cls.warned:
            return
        cls.warned = True
        # The peer's address is not logged: it may be a resident's.
        logger.warning(
            "A request with X-Forwarded-* headers came from an address not in "
            "TRUSTED_PROXIES; the headers were ignored. If that was your proxy, add its "
            "address to TRUSTED_PROXIES (this is logged once per process)."
        )


# A view that shows its own page again when what was sent is too large (a form
# page with uploads) sets this attribute; it then sees an empty POST and
# `request.upload_too_large` (the limit in MB) instead of a 413 page.
OVERSIZED_ATTRIBUTE = "answers_oversized_requests"


def answers_oversized_requests(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a view that answers an over-limit POST itself (see above)."""
    setattr(view, OVERSIZED_ATTRIBUTE, True)
    return view


def _answers_oversized(request: HttpRequest) -> bool:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return bool(getattr(match.func, OVERSIZED_ATTRIBUTE, False))


def _discard_body(request: HttpRequest, *, limit_mb: int) -> None:
    """Let the view see a POST with nothing in it: the body is never read. Its
    CSRF token is in the body, so the check is skipped: such a view only shows
    the page again with an error, and saves nothing."""
    request.META["CONTENT_LENGTH"] = "0"
    request._stream = LimitedStream(io.BytesIO(), 0)  # type: ignore[assignment]
    request.upload_too_large = limit_mb  # type: ignore[attr-defined]
    request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared length is over TOWNHALL_MAX_REQUEST_BYTES
    before reading any of its body, with a page that says so. Django never reads
    past the declared length, and nothing at all when none is declared, so a body
    sent without one (chunked) would arrive empty: such a request is refused with
    411 instead (browsers always declare the length of a form). Under `townhall
    serve`, gunicorn then closes the connection instead of reading the rest of
    the body to discard it (`core/gunicorn_conf.py`). Each file question's own,
    smaller limit is checked by the form engine."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        try:
            length = int(meta.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.TOWNHALL_MAX_REQUEST_BYTES
        if length > limit and request.method == "POST" and _answers_oversized(request):
            _discard_body(request, limit_mb=max(1, round(limit / (1024 * 1024))))
        elif length > limit:
            if (machine := machine_error(request, 413)) is not None:
                return machine
            return render(
                request,
                "errors/413.html",
                {"limit_mb": limit // (1024 * 1024)},
                status=413,
            )
        if "HTTP_TRANSFER_ENCODING" in meta and not meta.get("CONTENT_LENGTH"):
            return render(request, "errors/411.html", status=411)
        return self.get_response(request)
