from __future__ import annotations

import re
from datetime import timedelta

import pytest

from townhall.accounts.models import User
from townhall.notifications.models import Delivery
from townhall.residents.identity import resident_for_verified_email

PASSWORD = "purple elephants dance slowly"


@pytest.fixture(autouse=True)
def _small_limits(settings):
    settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT = 3
    settings.SIGN_IN_CLIENT_FAILURE_LIMIT = 5
    settings.SIGN_IN_LOCKOUT = timedelta(minutes=15)


@pytest.fixture
def resident(council) -> User:
    """A resident with a password and a confirmed email address."""
    user = resident_for_verified_email("ann@example.org")
    user.set_password(PASSWORD)
    user.save()
    return user


def last_email(to: str) -> Delivery:
    return Delivery.objects.filter(recipient=to).latest("pk")


def link_in(delivery: Delivery) -> str:
    """The path of the link in an email (the site's address taken off)."""
    return re.search(r"https?://[^/\s]+(/\S+)", delivery.body).group(1)


def code_in(delivery: Delivery) -> str:
    return re.search(r"^(\d{6})$", delivery.body, re.MULTILINE).group(1)


def signed_in_as(client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value is not None else None
