"""The steps of a resident's sign-in that sit between the pages: where to go
afterwards (only ever a page of this site), the second step for someone with
an authenticator, counting failures with the limits on failed sign-ins
(django-axes, docs/decisions/0018), and limits on emails sent."""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import timedelta

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from townhall.accounts import two_factor
from townhall.accounts.models import User
from townhall.accounts.signals import SECOND_STEP
from townhall.core.throttle import client_key, throttle_allows
from townhall.residents.identity import resident_sign_in
from townhall.tenancy.models import Membership

# The session's note of someone who has passed the first step and owes the second.
PENDING = "townhall_resident_pending"
PENDING_LIFETIME = timedelta(minutes=10)
# The address a sign-in code was sent to, kept server-side in the session.
CODE_EMAIL = "townhall_resident_code_email"
# Where to go once signed in and verified, kept while the resident confirms their address.
AFTER = "townhall_resident_after"

# Emails (codes, links) one client may have sent in EMAILS_WINDOW, and one address may be sent.
EMAILS_PER_CLIENT = 10
EMAILS_PER_ADDRESS = 5
EMAILS_WINDOW = timedelta(hours=1)


def safe_next(request: HttpRequest, default: str = "") -> str:
    """The page asked for before signing in, if it is one of this site's;
    else `default` (the account's home)."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return default or reverse("account:home")


def is_staff_account(user: User) -> bool:
    """Council staff and admin site users sign in at the back office, with its rules."""
    return user.is_staff or Membership.objects.filter(user=user).exists()


def emails_allowed(request: HttpRequest, email: str, action: str) -> bool:
    """Count one more email of `action` from this client and to `email`;
    False once either is over its limit (then nothing is sent, and the page
    says the same as ever)."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), email.strip().lower().encode(), hashlib.sha256
    ).hexdigest()[:40]
    by_client = throttle_allows(
        key=client_key(request, f"resident-{action}"), limit=EMAILS_PER_CLIENT, window=EMAILS_WINDOW
    )
    by_address = throttle_allows(
        key=f"resident-{action}-to:{digest}", limit=EMAILS_PER_ADDRESS, window=EMAILS_WINDOW
    )
    return by_client and by_address


def attempts_allowed(request: HttpRequest, email: str) -> bool:
    """Whether this address and this client may try a code now (django-axes'
    limits, shared with password sign-ins)."""
    return bool(AxesProxyHandler.is_allowed(request, {"username": email}))


def attempt_failed(request: HttpRequest, email: str, *, locked_out: bool = False) -> None:
    """Count a wrong code as a failed sign-in for `email` from this client.
    When `locked_out`, django-axes' middleware answers with the lockout page."""
    if locked_out:
        request.axes_locked_out = True  # type: ignore[attr-defined]
    user_login_failed.send(
        sender=__name__, credentials={"username": email, SECOND_STEP: True}, request=request
    )


def sign_in_finish(request: HttpRequest, user: User, after: str) -> str:
    """Sign `user` in, or, if they have a second factor, note that they owe
    it; the address to go to next."""
    if two_factor.has_second_factor(user):
        request.session.cycle_key()
        request.session[PENDING] = {"user": user.pk, "at": int(time.time()), "next": after}
        return reverse("account:second-step")
    resident_sign_in(request, user)
    return after


def pending_user(request: HttpRequest) -> tuple[User, str] | None:
    """Who is between the first step and the second, and where they go after."""
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    if time.time() - int(pending.get("at", 0)) > PENDING_LIFETIME.total_seconds():
        request.session.pop(PENDING, None)
        return None
    user_id = pending.get("user")
    if not isinstance(user_id, int):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    return (user, str(pending.get("next") or "")) if user is not None else None
