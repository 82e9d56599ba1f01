from __future__ import annotations

import pytest

from townhall.tenancy.models import Organisation


@pytest.fixture
def write_key(council: Organisation) -> str:
    """A key with the write scope for Example Council's highways system."""
    from townhall.integrations.keys import api_key_create

    return api_key_create(organisation=council, name="Highways system", scope="write").key


@pytest.fixture
def read_key(council: Organisation) -> str:
    from townhall.integrations.keys import api_key_create

    return api_key_create(organisation=council, name="Dashboard", scope="read").key
