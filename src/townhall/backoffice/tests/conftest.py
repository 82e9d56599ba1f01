"""Back-office fixtures: an organisation admin of Example Council (`manager_user`: it may
do everything, as managers could), beside the caseworker
(`staff_user`, `staff_client`) that src/conftest.py provides."""

from __future__ import annotations

import pytest


@pytest.fixture
def manager_user(council):
    from townhall.tenancy.factories import MembershipFactory
    from townhall.tenancy.models import Membership

    # An unusable password hash: tests sign in with `sign_in`, and hashing a
    # real one costs most of a test's time.
    return MembershipFactory(
        organisation=council,
        user__email="manager@example.gov.uk",
        user__password="!",
        role=Membership.Role.ORGANISATION_ADMIN,
    ).user


@pytest.fixture
def manager_client(client, manager_user):
    from townhall.testing.sign_in import sign_in

    return sign_in(client, manager_user)
