"""Read-heavy queries on a read replica (`DATABASE_REPLICA_URL`), ADR 0031.

Only code that asks for it reads from the replica: insight and open-data
selectors wrap their queries in `replica_reads()`. Everything else, and every
write, uses the primary. A replica lags the primary by a moment, so a client
that has just sent a form (any request that is not GET, HEAD or OPTIONS) is
pinned to the primary for `REPLICA_PIN_SECONDS`: its own reads see its own
writes, even on a page that would use the replica.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, TypeVar, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
PIN_COOKIE = "townhall_primary"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
V = TypeVar("V", bound=Callable[..., Any])

_replica_wanted: ContextVar[bool] = ContextVar("replica_wanted", default=False)
_pinned: ContextVar[bool] = ContextVar("pinned_to_primary", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads inside this block may use the replica, unless this client is pinned."""
    token = _replica_wanted.set(True)
    try:
        yield
    finally:
        _replica_wanted.reset(token)


def reads_from_replica(view: V) -> V:
    """A view whose reads may use the replica (insight, performance, open data).
    A streamed response's rows are read after the view returns, so from the
    primary."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        with replica_reads():
            return view(request, *args, **kwargs)

    return cast(V, wrapped)


@contextmanager
def pinned_to_primary() -> Iterator[None]:
    token = _pinned.set(True)
    try:
        yield
    finally:
        _pinned.reset(token)


def reading_database() -> str:
    """The database alias reads go to now."""
    if settings.DATABASE_REPLICA_URL and _replica_wanted.get() and not _pinned.get():
        return REPLICA
    return "default"


class ReplicaRouter:
    """Writes and migrations on the primary; reads as `reading_database` says."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        return reading_database()

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica is a copy of the primary

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == "default"


class PinAfterWriteMiddleware:
    """Pin a client's reads to the primary for `REPLICA_PIN_SECONDS` after it
    sent a form, by a short-lived cookie (no personal data: only a time)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        now = time.time()
        try:
            until = float(request.COOKIES.get(PIN_COOKIE, "0"))
        except ValueError:
            until = 0.0
        writing = request.method not in SAFE_METHODS
        if writing or until > now:
            with pinned_to_primary():
                response = self.get_response(request)
        else:
            response = self.get_response(request)
        if writing:
            seconds = settings.REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                f"{now + seconds:.0f}",
                max_age=seconds,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
