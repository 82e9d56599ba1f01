"""Scale-out (ADR 0031): sessions, the cache and per-client limits in Redis when
REDIS_URL is set, uploads on S3-compatible storage (a local moto server), a
read replica for the queries that ask for it, and tasks on RQ instead of the
database, each checked through what a resident or the worker does."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.storage import storages
from django.http import HttpResponse
from django.test import Client, RequestFactory

from townhall.cases.models import Attachment, Case
from townhall.core import replica
from townhall.core.throttle import throttle_allows
from townhall.notifications.models import Delivery
from townhall.testing.sign_in import sign_in
from townhall.web.tests.test_journey import PNG, START, answer_all

pytestmark = pytest.mark.django_db


def _settings_with(**env: str) -> dict:
    """Settings as a process started with these environment variables sees them."""
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'cache': s.CACHES['default']['BACKEND'], 'sessions': s.SESSION_ENGINE,"
        "'throttle': s.THROTTLE_STORE, 'storage': s.STORAGES['default']['BACKEND'],"
        "'databases': sorted(s.DATABASES), 'routers': s.DATABASE_ROUTERS,"
        "'middleware': s.MIDDLEWARE, 'apps': s.INSTALLED_APPS}))"
    )
    unset = {"REDIS_URL", "S3_BUCKET", "DATABASE_REPLICA_URL", "TASKS_BACKEND", "THROTTLE_STORE"}
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment.update(DJANGO_SETTINGS_MODULE="townhall.settings", TOWNHALL_ENV="test", **env)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


# ---- what each setting switches -------------------------------------------------------


def test_by_default_everything_shared_is_in_the_database():
    found = _settings_with()
    assert found["cache"] == "django.core.cache.backends.db.DatabaseCache"
    assert found["sessions"] == "townhall.core.sessions"  # Django's database sessions
    assert found["throttle"] == "database"
    assert found["storage"] == "django.core.files.storage.FileSystemStorage"
    assert found["databases"] == ["default"]


def test_redis_url_puts_cache_sessions_and_limits_in_redis():
    found = _settings_with(REDIS_URL="redis://cache.internal:6379/2")
    assert found["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert found["sessions"] == "django.contrib.sessions.backends.cache"
    assert found["throttle"] == "cache"


def test_a_bucket_puts_uploads_on_s3_and_a_replica_url_adds_the_router():
    found = _settings_with(
        S3_BUCKET="uploads", DATABASE_REPLICA_URL="postgres://reader@replica.internal/townhall"
    )
    assert found["storage"] == "storages.backends.s3.S3Storage"
    assert found["databases"] == ["default", "replica"]
    assert found["routers"] == ["townhall.core.replica.ReplicaRouter"]
    assert "townhall.core.replica.PinAfterWriteMiddleware" in found["middleware"]


def test_the_rq_task_backend_brings_its_worker_command():
    found = _settings_with(TASKS_BACKEND="django_tasks_rq.RQBackend")
    assert "django_rq" in found["apps"]


def test_migrate_creates_the_database_cache_table():
    cache.set("greeting", "hello", 30)
    assert cache.get("greeting") == "hello"


# ---- per-client limits, in the database and in Redis -----------------------------------


@pytest.fixture(params=["database", "redis"])
def limits_store(request, settings) -> str:
    if request.param == "redis":
        request.getfixturevalue("redis_cache")
    else:
        settings.THROTTLE_STORE = "database"
    return request.param


def test_a_client_is_limited_within_a_window_in_either_store(limits_store):
    window = timedelta(minutes=15)
    assert all(throttle_allows(key="k", limit=3, window=window) for _ in range(3))
    assert not throttle_allows(key="k", limit=3, window=window)
    assert throttle_allows(key="other", limit=3, window=window)


def test_a_redis_window_ends_with_its_key(redis_cache):
    window = timedelta(seconds=1)
    assert throttle_allows(key="short", limit=1, window=window)
    assert not throttle_allows(key="short", limit=1, window=window)
    cache.delete("throttle:short")  # what Redis does when the window's second is up
    assert throttle_allows(key="short", limit=1, window=window)


# ---- a whole journey on Redis sessions and S3 uploads ----------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def s3_bucket(settings, monkeypatch) -> Iterator[str]:
    """A local S3 server (moto) with an empty bucket, and uploads stored in it."""
    import boto3
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    boto3.client("s3", endpoint_url=endpoint, region_name="eu-west-2").create_bucket(
        Bucket="uploads", CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
    )
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "uploads",
                "endpoint_url": endpoint,
                "region_name": "eu-west-2",
                "location": "townhall",
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
    storages._storages = {}  # type: ignore[attr-defined]  # built again from the settings
    yield endpoint
    storages._storages = {}  # type: ignore[attr-defined]
    server.stop()


def test_a_journey_with_a_photo_on_redis_sessions_and_s3_storage(
    client, fly_tipping, staff_user, redis_cache, s3_bucket, django_capture_on_commit_callbacks
):
    import boto3

    answer_all(client, photo=PNG)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{START}check/")
    assert response["Location"] == f"{START}done/"
    case = Case.objects.get()
    attachment = Attachment.objects.get(case=case)

    bucket = boto3.client("s3", endpoint_url=s3_bucket, region_name="eu-west-2")
    keys = [item["Key"] for item in bucket.list_objects_v2(Bucket="uploads")["Contents"]]
    assert keys == [f"townhall/{attachment.file.name}"]
    # Staff download it from the bucket through Townhall, never from a public URL.
    staff = Client()
    sign_in(staff, staff_user)
    download = staff.get(f"/staff/cases/{case.reference}/attachments/{attachment.id}/")
    assert download.status_code == 200
    assert download.getvalue() == PNG
    # The resident's answers lived in a Redis session, not in the database.
    from django.contrib.sessions.models import Session

    assert not Session.objects.exists()
    assert [m.to for m in mail.outbox] == [["resident@example.com"]]


# ---- the read replica -------------------------------------------------------------------


@pytest.fixture
def with_replica(settings):
    settings.DATABASE_REPLICA_URL = "postgres://reader@replica.internal/townhall"
    settings.REPLICA_PIN_SECONDS = 15


def test_only_reads_that_ask_go_to_the_replica(with_replica):
    router = replica.ReplicaRouter()
    assert router.db_for_read(Case) == "default"
    with replica.replica_reads():
        assert router.db_for_read(Case) == "replica"
        assert router.db_for_write(Case) == "default"
    assert not router.allow_migrate("replica", "cases")


def test_a_view_marked_for_the_replica_reads_from_it(with_replica):
    @replica.reads_from_replica
    def view(request):
        return HttpResponse(replica.reading_database())

    assert view(RequestFactory().get("/performance/")).content == b"replica"
    assert replica.reading_database() == "default"  # only inside the view


def test_without_a_replica_every_read_is_on_the_primary(settings):
    with replica.replica_reads():
        assert replica.reading_database() == "default"


def test_a_resident_who_sent_a_form_reads_from_the_primary_for_a_while(with_replica):
    seen = []

    def view(request):
        with replica.replica_reads():
            seen.append(replica.reading_database())
        return HttpResponse("ok")

    middleware = replica.PinAfterWriteMiddleware(view)
    factory = RequestFactory()
    middleware(factory.get("/open-data/"))
    sent = middleware(factory.post("/services/x/check/"))
    cookie = sent.cookies[replica.PIN_COOKIE]
    assert cookie["max-age"] == 15 and cookie["httponly"]
    after = factory.get("/open-data/")
    after.COOKIES[replica.PIN_COOKIE] = cookie.value
    middleware(after)
    stale = factory.get("/open-data/")
    stale.COOKIES[replica.PIN_COOKIE] = "1000"  # pinned until long ago
    middleware(stale)
    assert seen == ["replica", "default", "default", "replica"]


# ---- the same delivery on each task engine ----------------------------------------------


def test_a_submission_is_acknowledged_once_on_either_task_engine(
    client, fly_tipping, task_engine, django_capture_on_commit_callbacks
):
    task_engine.auto = False  # tasks wait for the worker, as in production
    answer_all(client)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{START}check/")["Location"] == f"{START}done/"
    assert mail.outbox == []  # queued, not sent in the request
    with django_capture_on_commit_callbacks(execute=True):
        task_engine.drain()
    assert task_engine.runs == 2  # the event's task, then the delivery's
    case = Case.objects.get()
    assert [m.to for m in mail.outbox] == [["resident@example.com"]]
    assert case.reference in mail.outbox[0].body
    assert Delivery.objects.get().status == "sent"


def test_the_performance_page_reads_from_the_replica(
    client, fly_tipping, with_replica, monkeypatch
):
    from townhall.web import public_data_views

    seen = []
    real = public_data_views.public_performance

    def spy(*args, **kwargs):
        seen.append(replica.reading_database())
        return real(*args, **kwargs)

    monkeypatch.setattr(public_data_views, "public_performance", spy)
    assert client.get("/performance/").status_code == 200
    assert seen == ["replica"]
