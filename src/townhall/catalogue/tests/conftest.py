from __future__ import annotations

from collections.abc import Iterator

import pytest

from townhall.catalogue.engine.places import NO_PLACES, place_lookup_set


@pytest.fixture(autouse=True)
def _engine_alone_without_a_database(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tests of the engine alone (no database) run it as a deployment with no
    postcodes imported: a postcode a resident types is their words."""
    uses_database = request.node.get_closest_marker("django_db") is not None or any(
        name in request.fixturenames for name in ("db", "transactional_db")
    )
    if uses_database:
        yield
        return
    previous = place_lookup_set(NO_PLACES)
    yield
    place_lookup_set(previous)
