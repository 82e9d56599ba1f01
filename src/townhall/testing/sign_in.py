"""Signing staff in for tests as they are after both steps of signing in: a
confirmed authenticator app, and a session that django-otp marks as verified
by it, as the second step does after a right code. Tests of the steps
themselves go through the pages (backoffice/tests/test_two_factor.py)."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


def authenticator_for(user: Any) -> TOTPDevice:  # a User, or what a factory made
    """`user`'s confirmed authenticator, made if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test phone", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    """The code the authenticator app shows now."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def sign_in(client: Client, user: Any) -> Client:  # a User, or what a factory made
    """Sign `user` in with their password step done and their second factor given."""
    device = authenticator_for(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
