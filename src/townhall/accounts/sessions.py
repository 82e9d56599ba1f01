"""How long a signed-in session lasts: it ends after STAFF_SESSION_IDLE_MINUTES
without a request, and STAFF_SESSION_MAX_HOURS after signing in whatever
happens, so a browser left open on a shared desk does not stay signed in.

The times are kept in the session itself (seconds since the epoch); the
session is saved at most once a minute for the idle clock, not on every
request.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse

STARTED = "townhall_signed_in_at"
SEEN = "townhall_seen_at"
# Shown by the sign-in page after an expired session was ended.
EXPIRED = "townhall_session_expired"
# The idle clock is moved on at most this often, to save writes.
_SEEN_EVERY = 60


def session_start(request: HttpRequest) -> None:
    """Start both clocks: called when someone signs in."""
    now = int(time.time())
    request.session[STARTED] = now
    request.session[SEEN] = now


def session_expired(request: HttpRequest, now: float) -> bool:
    """Whether the signed-in session of `request` has run out at `now`."""
    started = request.session.get(STARTED)
    seen = request.session.get(SEEN)
    if not isinstance(started, int) or not isinstance(seen, int):
        return True
    idle = settings.STAFF_SESSION_IDLE_MINUTES * 60
    lifetime = settings.STAFF_SESSION_MAX_HOURS * 3600
    return now - seen > idle or now - started > lifetime


class SessionExpiryMiddleware:
    """Signs out a session that has been idle or open too long. Placed after
    `AuthenticationMiddleware`; requests without a session cookie (residents
    who never signed in) are not touched."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SESSION_COOKIE_NAME in request.COOKIES and SESSION_KEY in request.session:
            now = time.time()
            if session_expired(request, now):
                logout(request)
                request.session[EXPIRED] = True
            elif now - request.session[SEEN] >= _SEEN_EVERY:
                request.session[SEEN] = int(now)
        return self.get_response(request)
