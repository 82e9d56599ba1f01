from __future__ import annotations

import pytest


@pytest.fixture
def street_service(council):
    """A published service whose route branches on the answers (email optional)."""
    from townhall.catalogue.factories import branching_definition, service_create

    return service_create(organisation=council, definition=branching_definition())
