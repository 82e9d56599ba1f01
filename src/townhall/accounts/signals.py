"""Django's and django-axes' sign-in signals, connected to the sign-in record
and the session clocks (see `sign_ins.py` and `sessions.py`)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.http import HttpRequest

from townhall.accounts.models import SignIn, User
from townhall.accounts.sessions import session_start
from townhall.accounts.sign_ins import sign_in_record, user_for_credentials

# Passed in the credentials of a failed second step, so it is recorded as a wrong code.
SECOND_STEP = "second_step"


def _signed_in(sender: object, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        session_start(request)
    sign_in_record(user=user, outcome=SignIn.Outcome.SIGNED_IN, request=request)


def _failed(
    sender: object, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    user = user_for_credentials(credentials)
    if user is None:
        return
    if getattr(request, "axes_locked_out", False):
        outcome = SignIn.Outcome.LOCKED_OUT
    elif credentials.get(SECOND_STEP):
        outcome = SignIn.Outcome.WRONG_CODE
    else:
        outcome = SignIn.Outcome.WRONG_PASSWORD
    sign_in_record(user=user, outcome=outcome, request=request)


def connect() -> None:
    user_logged_in.connect(_signed_in, dispatch_uid="townhall.accounts.signed_in")
    user_login_failed.connect(_failed, dispatch_uid="townhall.accounts.failed")
