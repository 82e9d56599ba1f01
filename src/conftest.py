"""Shared fixtures (the test settings come from townhall.testing.environment)."""

from __future__ import annotations

import os

import pytest

REDIS_TEST_URL = "redis://127.0.0.1:6379/11"  # a database number of the tests' own


@pytest.fixture
def redis_url() -> str:
    """Redis at 127.0.0.1:6379 (database 11), or the test is skipped; in CI,
    where Redis runs, its absence fails the test instead."""
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail("Redis is not running at 127.0.0.1:6379, and CI should start it")
        pytest.skip("Redis is not running at 127.0.0.1:6379: the RQ task engine is not tested")
    finally:
        client.close()
    return REDIS_TEST_URL


@pytest.fixture(params=["database", "rq"])
def task_engine(request, settings, monkeypatch):  # type: ignore[no-untyped-def]
    """Queued tasks run on the database queue, then (a second run of the test)
    on RQ over Redis, each by its own worker as soon as they are enqueued
    (townhall.testing.task_engines). Set `task_engine.auto = False` to let tasks
    wait until `task_engine.drain()`."""
    from townhall.testing.task_engines import DatabaseEngine, RQEngine

    if request.param == "database":
        engine = DatabaseEngine()
        settings.TASKS = {"default": {"BACKEND": engine.backend}}
        with engine.running():
            yield engine
        return
    import django_rq

    rq_engine = RQEngine(request.getfixturevalue("redis_url"))
    monkeypatch.setattr(django_rq, "get_queue", rq_engine.get_queue)
    # The job's queue is read back as its task's queue: both must be valid.
    queues = ["default", rq_engine.queue.name]
    settings.TASKS = {"default": {"BACKEND": rq_engine.backend, "QUEUES": queues}}
    try:
        with rq_engine.running():
            yield rq_engine
    finally:
        rq_engine.close()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Uploaded files go to a temporary folder, never the developer's var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _in_english():  # type: ignore[no-untyped-def]
    """Each test starts in the default language: a request in Welsh leaves Welsh
    active in the thread, and a later test would read Welsh messages."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def council(db):  # type: ignore[no-untyped-def]
    from townhall.tenancy.factories import OrganisationFactory, SiteFactory

    organisation = OrganisationFactory(
        slug="example", name="Example Council", reference_prefix="EXA"
    )
    SiteFactory(host="testserver", name="Example Council", organisations=[organisation])
    return organisation


@pytest.fixture
def other_council(db):  # type: ignore[no-untyped-def]
    from townhall.tenancy.factories import OrganisationFactory, SiteFactory

    organisation = OrganisationFactory(slug="other", name="Other Council", reference_prefix="OTH")
    SiteFactory(host="other.example", name="Other Council", organisations=[organisation])
    return organisation


def _import_fly_tipping(organisation):  # type: ignore[no-untyped-def]
    from townhall.catalogue.services import service_import
    from townhall.catalogue.standard import STANDARD_DIR, load_definition_file

    definition = load_definition_file(STANDARD_DIR / "report-fly-tipping.yaml")
    return service_import(organisation=organisation, definition=definition).service


@pytest.fixture
def fly_tipping(council):  # type: ignore[no-untyped-def]
    """The standard fly-tipping service, published by Example Council."""
    return _import_fly_tipping(council)


@pytest.fixture
def other_fly_tipping(other_council):  # type: ignore[no-untyped-def]
    return _import_fly_tipping(other_council)


@pytest.fixture
def staff_user(council):  # type: ignore[no-untyped-def]
    from townhall.tenancy.factories import MembershipFactory

    return MembershipFactory(organisation=council, user__email="caseworker@example.gov.uk").user


@pytest.fixture
def staff_client(client, staff_user):  # type: ignore[no-untyped-def]
    from townhall.testing.sign_in import sign_in

    return sign_in(client, staff_user)


@pytest.fixture
def fake_notify(settings):  # type: ignore[no-untyped-def]
    """A fake GOV.UK Notify on a loopback port, where Notify's client is pointed."""
    from townhall.testing.notify import FakeNotify

    notify = FakeNotify().start()
    settings.NOTIFY_BASE_URL = notify.url
    yield notify
    notify.stop()


@pytest.fixture
def notify_council(council, fake_notify):  # type: ignore[no-untyped-def]
    """Example Council sending email, texts and letters through the fake Notify,
    with "callback-token-1" as its receipts bearer token."""
    from townhall.notifications.services import notify_settings_save

    notify_settings_save(
        organisation=council,
        enabled=True,
        api_key=fake_notify.api_key,
        templates={f"{kind}_template_id": id for kind, id in fake_notify.templates.items()},
        callback_token="callback-token-1",  # noqa: S106
    )
    return council


@pytest.fixture
def admin_client(client, admin_user):  # type: ignore[no-untyped-def]
    """pytest-django's admin client, signed in with the second factor the
    admin site asks for."""
    from townhall.testing.sign_in import sign_in

    return sign_in(client, admin_user)
