"""The second factor: an authenticator app (TOTP) and recovery codes, on
django-otp's TOTP and static devices (see docs/decisions/0032).

A person has at most one confirmed authenticator and one set of recovery
codes. Setting up an authenticator makes an unconfirmed device first; it
counts only once a code from the app has been accepted, so a scan that went
wrong never locks anyone out.
"""

from __future__ import annotations

import secrets
from base64 import b32encode

import segno
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import ngettext
from django_otp import devices_for_user, user_has_device, verify_token
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from townhall.accounts.models import SignIn, User
from townhall.accounts.sign_ins import sign_in_record

RECOVERY_CODE_COUNT = 10
# Recovery codes: 10 characters from an alphabet without look-alikes (no 0/o, 1/l/i).
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def has_second_factor(user: User) -> bool:
    """Whether `user` has a confirmed authenticator or recovery codes."""
    return user_has_device(user, confirmed=True)


def has_authenticator(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def authenticator_start(*, user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator for `user`, replacing any earlier
    unconfirmed one. Their confirmed authenticator, if any, keeps working
    until this one is confirmed."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def demo_authenticator(*, user: User) -> TOTPDevice:
    """The demo account's confirmed authenticator, made the first time."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=True)


def authenticator_pending(*, user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def authenticator_confirm(*, device: TOTPDevice, code: str) -> bool:
    """Confirm `device` with a code from the app: on success it replaces the
    person's earlier authenticator. False if the code is not right."""
    with transaction.atomic():
        if not device.verify_token(normalise_code(code)):
            return False
        TOTPDevice.objects.filter(user_id=device.user_id, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return True


def recovery_codes_replace(*, user: User) -> list[str]:
    """New recovery codes for `user`, replacing any they had. Each works once.
    The codes are returned to show once; they cannot be read again."""
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [
            "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
            for _ in range(RECOVERY_CODE_COUNT)
        ]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def normalise_code(code: str) -> str:
    """A code as typed, without spaces or hyphens, in lower case."""
    return "".join(code.split()).replace("-", "").lower()[:32]


def second_factor_verify(*, user: User, code: str) -> Device | None:
    """The device that accepts `code` for `user` (six digits: the authenticator;
    anything else: a recovery code, used up by this), or None. Each device
    also slows repeated failures itself (django-otp's throttling)."""
    code = normalise_code(code)
    if not code:
        return None
    model: type[Device] = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    for device in devices_for_user(user, confirmed=True):
        if isinstance(device, model):
            verified = verify_token(user, device.persistent_id, code)
            if verified is not None:
                return verified
    return None


def secret_text(device: TOTPDevice) -> str:
    """The secret as people type it into an app: base32 in groups of four."""
    secret = b32encode(device.bin_key).decode("ascii")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def otpauth_uri(device: TOTPDevice) -> str:
    """The `otpauth://` URI an authenticator app reads from the QR code."""
    return str(device.config_url)


def qr_code_svg(uri: str, *, title: str) -> str:
    """The QR code for `uri` as inline SVG, drawn on the server (no script)."""
    return str(segno.make(uri, error="m").svg_inline(scale=5, title=title, border=2))


def second_step_passed(request: HttpRequest, user: User, device: Device) -> None:
    """Mark the session as having passed the second step with `device`,
    record it, and warn how many recovery codes are left if one was used:
    the same for staff and residents, once their session is signed in."""
    otp_login(request, device)
    sign_in_record(user=user, outcome=SignIn.Outcome.VERIFIED, request=request)
    if isinstance(device, StaticDevice):
        left = recovery_codes_left(user)
        messages.warning(
            request,
            ngettext(
                "You used a recovery code. You have %(count)d left.",
                "You used a recovery code. You have %(count)d left.",
                left,
            )
            % {"count": left},
        )
