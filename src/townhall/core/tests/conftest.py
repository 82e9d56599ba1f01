from __future__ import annotations

import signal

import pytest

from townhall.core.management.commands import db_worker
from townhall.testing.faults import Clock


@pytest.fixture
def database_tasks(settings, monkeypatch):
    """Tasks go to the database, for `townhall db_worker` to run (in this process
    with `call_command`, or in another one)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(db_worker.Worker, "reconnect_delay", 0.0)
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in handlers.items():  # the worker installs its own
        signal.signal(sig, handler)
    db_worker.close_connections()  # a connection left cut, for the test database's teardown


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """Django's clock in this process, to move forward past a wait."""
    return Clock(monkeypatch)
