from __future__ import annotations

import signal
import uuid
from collections.abc import Iterator

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


@pytest.fixture
def redis_cache(settings, redis_url) -> Iterator[str]:
    """The cache, sessions and per-client limits in Redis, as with REDIS_URL."""
    import redis
    from django.core.cache import caches

    prefix = f"townhall-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": prefix,
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    settings.THROTTLE_STORE = "cache"
    yield prefix
    caches.close_all()
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    client.close()
