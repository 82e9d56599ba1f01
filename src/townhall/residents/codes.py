"""One-time codes sent by email (see docs/decisions/0052): a 6-digit code to
sign in without a password, and a long token in the link that confirms an
email address. Each is stored only as a keyed hash, expires, works once, and
a sign-in code is spent after a few wrong guesses."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from townhall.residents.models import OneTimeCode

SIGN_IN_CODE_LIFETIME = timedelta(minutes=10)
VERIFY_LINK_LIFETIME = timedelta(hours=24)
# Wrong guesses one sign-in code survives; the limits on failed sign-ins
# (django-axes) count them too, per address and per client.
MAX_WRONG_GUESSES = 5
_DIGITS = 6


def _hash(purpose: str, email: str, secret: str) -> str:
    # The address is in the hash, so two addresses' equal codes differ.
    message = f"{purpose}:{email}:{secret}".encode()
    key = f"townhall.residents.codes:{settings.SECRET_KEY}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _issue(*, email: str, purpose: str, secret: str, lifetime: timedelta) -> None:
    now = timezone.now()
    with transaction.atomic():
        OneTimeCode.objects.filter(email=email, purpose=purpose, used_at__isnull=True).update(
            used_at=now
        )
        OneTimeCode.objects.filter(expires_at__lt=now - timedelta(days=1)).delete()
        OneTimeCode.objects.create(
            email=email,
            purpose=purpose,
            code_hash=_hash(purpose, email, secret),
            expires_at=now + lifetime,
        )


def sign_in_code_issue(*, email: str) -> str:
    """A new sign-in code for `email`, returned to send; any earlier unused
    code for the address stops working."""
    code = "".join(secrets.choice("0123456789") for _ in range(_DIGITS))
    _issue(
        email=normalise_email(email),
        purpose=OneTimeCode.Purpose.SIGN_IN,
        secret=code,
        lifetime=SIGN_IN_CODE_LIFETIME,
    )
    return code


def sign_in_code_use(*, email: str, code: str) -> bool:
    """Whether `code` is the live sign-in code for `email`; if so it is used
    up. A wrong code counts against the live one, which stops working after
    MAX_WRONG_GUESSES."""
    email = normalise_email(email)
    code = "".join(code.split())
    now = timezone.now()
    with transaction.atomic():
        live = (
            OneTimeCode.objects.select_for_update()
            .filter(
                email=email,
                purpose=OneTimeCode.Purpose.SIGN_IN,
                used_at__isnull=True,
                expires_at__gt=now,
                wrong_guesses__lt=MAX_WRONG_GUESSES,
            )
            .order_by("-created_at")
            .first()
        )
        if live is None:
            return False
        if not hmac.compare_digest(live.code_hash, _hash(live.purpose, email, code)):
            OneTimeCode.objects.filter(pk=live.pk).update(wrong_guesses=F("wrong_guesses") + 1)
            return False
        live.used_at = now
        live.save(update_fields=["used_at"])
    return True


def verify_token_issue(*, email: str) -> str:
    """A new token for the link that confirms `email`; earlier links stop working."""
    token = secrets.token_urlsafe(32)
    email = normalise_email(email)
    _issue(
        email=email,
        purpose=OneTimeCode.Purpose.VERIFY,
        secret=token,
        lifetime=VERIFY_LINK_LIFETIME,
    )
    return token


def verify_token_use(*, email: str, token: str) -> bool:
    """Whether `token` is the live confirmation token for `email`; if so it
    is used up."""
    email = normalise_email(email)
    now = timezone.now()
    return bool(
        OneTimeCode.objects.filter(
            email=email,
            purpose=OneTimeCode.Purpose.VERIFY,
            code_hash=_hash(OneTimeCode.Purpose.VERIFY, email, token[:100]),
            used_at__isnull=True,
            expires_at__gt=now,
        ).update(used_at=now)
    )
