"""Fixtures for "My requests": residents, and cases made the ways residents' cases are."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from townhall.cases.services import case_open


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
