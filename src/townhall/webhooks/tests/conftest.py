"""Webhook fixtures: a real HTTP receiver on a loopback port, and an endpoint
of Example Council aimed at it."""

from __future__ import annotations

import pytest

from townhall.testing.http_receiver import Receiver


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _short_timeouts(settings):
    # A slow answer is one slower than this (seconds); real endpoints get 10.
    settings.WEBHOOKS_READ_TIMEOUT = 1
    settings.WEBHOOKS_CONNECT_TIMEOUT = 1


@pytest.fixture
def endpoint(council, receiver):
    from townhall.webhooks.services import endpoint_add

    return endpoint_add(organisation=council, url=f"{receiver.url}/hooks")


@pytest.fixture
def admin(council):
    from townhall.tenancy.factories import MembershipFactory
    from townhall.tenancy.models import Membership

    return MembershipFactory(
        organisation=council,
        user__email="admin@example.gov.uk",
        user__password="!",
        role=Membership.Role.ORGANISATION_ADMIN,
    ).user
