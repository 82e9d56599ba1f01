"""Fixtures for residents' accounts and "My requests": residents, their
sign-in emails, and cases made the ways residents' cases are."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction

from townhall.accounts.models import User
from townhall.cases.services import case_open
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


@pytest.fixture
def blue_badge(council):
    """The standard Blue Badge service: its workflow asks the resident for
    more information and lets them withdraw."""
    from townhall.catalogue.services import service_import
    from townhall.catalogue.standard import STANDARD_DIR, load_definition_file

    definition = load_definition_file(STANDARD_DIR / "apply-for-a-blue-badge.yaml")
    return service_import(organisation=council, definition=definition).service


def make_case(service: Any, *, email: str = "", channel: str = "web", actor: Any = None):
    """A case of `service` opened with only a contact email as its answers, the
    way staff record one for a caller (`actor`) or a system sends one."""
    version = service.published_version
    definition = version.parsed
    contact = definition.contact_question
    answers = {contact.id: email} if contact and email else {}
    with transaction.atomic():
        return case_open(
            service_version=version,
            channel=channel,
            definition=definition,
            answers=answers,
            actor=actor,
        )


@pytest.fixture
def ann(db):
    from townhall.residents.identity import resident_for_verified_email

    return resident_for_verified_email("ann@example.org")


@pytest.fixture
def bob(db):
    from townhall.residents.identity import resident_for_verified_email

    return resident_for_verified_email("bob@example.org")


@pytest.fixture
def ann_client(client, ann):
    client.force_login(ann)
    return client


def owned(case: Any, user: Any):
    case.resident = user
    case.save(update_fields=["resident"])
    return case
