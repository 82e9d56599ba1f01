"""Limits on failed sign-ins, built on django-axes (see docs/decisions/0018).

Every sign-in goes through `django.contrib.auth.authenticate`, whichever form
it comes from (the back office's or the admin site's), so the limit is a
backend placed before the one that checks passwords: while an account or a
client is locked out, no password is even checked. Failures are counted by
axes' `user_login_failed` signal handler, as rows of `axes.AccessAttempt`
in the database, so every web process shares them.

Two limits apply at once: failures for one account (its email address, in
lower case, from any client) and failures from one client (its IP address,
for any account). The client limit is higher, because a council office can
sign many staff in from one address.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

# The longest value axes can store as a username.
_ACCOUNT_KEY_LENGTH = 255
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def account_key(request: HttpRequest, credentials: Mapping[str, Any] | None) -> str | None:
    """The account a sign-in is for, as failures are counted: the email address
    as typed, trimmed and in lower case (as `User` compares them), without
    control characters, which no email address has and PostgreSQL cannot store."""
    if credentials:
        value = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        value = getattr(request, "POST", {}).get(settings.AXES_USERNAME_FORM_FIELD)
    if not isinstance(value, str):
        return None
    key = _CONTROL_CHARACTERS.sub("", value).strip().lower()[:_ACCOUNT_KEY_LENGTH]
    return key or None


def client_address(request: HttpRequest) -> str | None:
    """The client a sign-in comes from: `REMOTE_ADDR`, never a header a client
    can write. Behind trusted proxies, the address they name is put there
    before any view runs (ADR 0017), as for every other per-client limit."""
    return request.META.get("REMOTE_ADDR") or None


def account_failure_limit(request: HttpRequest | None, credentials: object = None) -> int:
    """Axes compares `SignInAttempts.get_failures` with this number."""
    return int(settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT)


def lockout_period(request: HttpRequest | None = None) -> timedelta:
    """How long failures count, and so how long a lockout lasts after the last
    failure that counted."""
    period: timedelta = settings.SIGN_IN_LOCKOUT
    return period


def _failures(attempts: QuerySet[Any]) -> int:
    return sum(attempts.values_list("failures_since_start", flat=True))


def _lock_ends(attempts: QuerySet[Any], limit: int, period: timedelta) -> datetime | None:
    """When these failures stop adding up to `limit`: the most recent rows
    count longest, so it is when the row that brings the total to the limit,
    counting from the newest, expires. None if they do not reach it."""
    total = 0
    rows: Iterable[tuple[datetime, int]] = attempts.order_by("-attempt_time").values_list(
        "attempt_time", "failures_since_start"
    )
    for attempt_time, failures in rows:
        total += failures
        if total >= limit:
            return attempt_time + period
    return None


class SignInAttempts(AxesDatabaseHandler):
    """Axes' database handler with a separate, higher limit per client.

    `AXES_LOCKOUT_PARAMETERS` is `["username", "ip_address"]`, so axes gives
    the attempts for the account and then those for the client. Axes compares
    one number with one limit (the account's); a client's failures are
    counted with the difference between the two limits taken off, so each
    reaches that number exactly at its own limit.
    """

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        by_account, by_client = self.get_user_attempts(request, credentials)
        account_limit, client_limit = _limits()
        return max(_failures(by_account), _failures(by_client) - (client_limit - account_limit))

    def locked_until(self, request: HttpRequest, credentials: dict[str, Any] | None) -> datetime:
        """When signing in will work again for this request's account and client."""
        AxesProxyHandler.update_request(request)
        period = lockout_period(request)
        ends = [
            end
            for attempts, limit in zip(
                self.get_user_attempts(request, credentials), _limits(), strict=True
            )
            if (end := _lock_ends(attempts, limit, period)) is not None
        ]
        return max(ends, default=timezone.now() + period)


def _limits() -> tuple[int, int]:
    return settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT, settings.SIGN_IN_CLIENT_FAILURE_LIMIT


class SignInLimitBackend(AxesStandaloneBackend):
    """Refuses every sign-in while the account or the client is locked out.

    A call to `authenticate` with no request (a management command, the test
    client's `login`) has no client to count and is not limited; every sign-in
    page passes its request.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is not None:
            super().authenticate(request, username, password, **kwargs)


def locked_until(request: HttpRequest, credentials: dict[str, Any] | None) -> datetime:
    """When a locked-out sign-in may be tried again."""
    handler = AxesProxyHandler.get_implementation()
    if isinstance(handler, SignInAttempts):
        return handler.locked_until(request, credentials)
    return timezone.now() + lockout_period(request)
