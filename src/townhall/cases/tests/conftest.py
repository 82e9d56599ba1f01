from __future__ import annotations

import pytest


@pytest.fixture
def street_service(council):
    """A published service whose route branches on the answers (email optional)."""
    from townhall.catalogue.factories import branching_definition, service_create

    return service_create(organisation=council, definition=branching_definition())


class Clock:
    """`django.utils.timezone.now` held at a moment tests choose (`clock.at(...)`)."""

    def __init__(self, monkeypatch):
        self.moment = None
        monkeypatch.setattr("django.utils.timezone.now", self.now)

    def now(self):
        from datetime import UTC, datetime

        return self.moment or datetime.now(UTC)

    def at(self, moment):
        self.moment = moment
        return self


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)
