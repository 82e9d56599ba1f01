"""Thin views over residents.oidc: send the resident to their provider, and
take them back in. Every failure is a page that says what happened, never a
500, and nothing is written until the provider's answer is fully checked."""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import urlencode

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from townhall.core.throttle import client_key, throttle_allows
from townhall.residents import oidc
from townhall.residents.identity import resident_sign_in

logger = logging.getLogger(__name__)

# Sign-ins one client may start, and returns it may bring back, in a window:
# far more than a person needs, few enough to slow anyone guessing.
ATTEMPTS_PER_CLIENT = 30
ATTEMPTS_WINDOW = timedelta(minutes=10)

# What each failure tells the resident: a title and what to do, with the
# HTTP status of the page.
FAILURES = {
    "not_started": (
        400,
        _("Your sign-in has expired"),
        _("You took too long, or signed in from another window. Start again."),
    ),
    "state": (
        400,
        _("Your sign-in could not be finished"),
        _("The answer from the sign-in service did not match this browser. Start again."),
    ),
    "cancelled": (
        400,
        _("You did not sign in"),
        _("You chose not to sign in. You can start again, or carry on without signing in."),
    ),
    "provider_error": (
        400,
        _("Your sign-in could not be finished"),
        _("The sign-in service could not sign you in. Start again."),
    ),
    "token": (
        502,
        _("Your sign-in could not be finished"),
        _("We could not check what the sign-in service told us about you. Start again."),
    ),
    "unreachable": (
        503,
        _("The sign-in service is not available"),
        _("We cannot reach the sign-in service at the moment. Try again in a few minutes."),
    ),
    "no_email": (
        403,
        _("We need your email address"),
        _(
            "The sign-in service did not give us your email address. Sign in again and agree "
            "to share it."
        ),
    ),
    "unverified": (
        403,
        _("Your email address has not been confirmed"),
        _("Confirm your email address with the sign-in service, then sign in again."),
    ),
    "staff": (
        403,
        _("Sign in to the staff pages instead"),
        _(
            "This email address belongs to a council staff account, which cannot be used "
            "here. Use the staff sign-in page."
        ),
    ),
    "inactive": (
        403,
        _("This account cannot be used"),
        _("This account has been closed. Contact the council if you think this is wrong."),
    ),
    "throttled": (
        429,
        _("Too many attempts to sign in"),
        _("Wait a few minutes, then try again."),
    ),
}


def _home() -> str:
    try:
        return reverse("account:home")
    except NoReverseMatch:
        return "/"


def _safe_next(request: HttpRequest, wanted: str) -> str:
    """`wanted` if it is a page of this site, else the account's home."""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return _home()


def _failed(request: HttpRequest, reason: str, next_url: str = "") -> HttpResponse:
    status, title, advice = FAILURES[reason]
    logger.warning("OpenID Connect sign-in failed: %s", reason)
    start = reverse("oidc:start")
    if next_url and next_url != _home():
        start = f"{start}?{urlencode({'next': next_url})}"
    return render(
        request,
        "residents/oidc/failed.html",
        {"title": title, "advice": advice, "start_url": start, "retry": reason != "staff"},
        status=status,
    )


def _allowed(request: HttpRequest, action: str) -> bool:
    return throttle_allows(
        key=client_key(request, action), limit=ATTEMPTS_PER_CLIENT, window=ATTEMPTS_WINDOW
    )


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """Send the resident to the provider, keeping in their session what
    their return must match."""
    if not oidc.is_configured():
        raise Http404
    next_url = _safe_next(request, request.GET.get("next", ""))
    if not _allowed(request, "oidc-start"):
        return _failed(request, "throttled", next_url)
    try:
        url, pending = oidc.authorization_start(language=get_language() or "en", next_url=next_url)
    except oidc.SignInFailed as failure:
        logger.warning("OpenID Connect provider: %s", failure.detail)
        return _failed(request, failure.reason, next_url)
    request.session[oidc.PENDING] = pending
    return HttpResponseRedirect(url)


@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    """Check the provider's answer; sign the resident in only if all of it holds."""
    if not oidc.is_configured():
        raise Http404
    # Used once: a second return with the same answer starts nothing.
    pending = request.session.pop(oidc.PENDING, None)
    next_url = _safe_next(request, pending.get("next", "") if pending else "")
    if not _allowed(request, "oidc-callback"):
        return _failed(request, "throttled", next_url)
    try:
        claims = oidc.sign_in_verify(pending=pending, params=request.GET)
        with transaction.atomic():
            user = oidc.resident_for_claims(claims)
            resident_sign_in(request, user)
    except oidc.SignInFailed as failure:
        if failure.detail:
            logger.warning("OpenID Connect sign-in: %s", failure.detail)
        return _failed(request, failure.reason, next_url)
    return HttpResponseRedirect(next_url)
