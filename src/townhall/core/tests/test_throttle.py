from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from townhall.cases.factories import submitted_case
from townhall.core.models import Throttle
from townhall.core.throttle import client_key, throttle_allows
from townhall.web import views


def test_a_client_is_limited_within_a_window_and_free_after_it(db):
    window = timedelta(minutes=15)
    assert all(throttle_allows(key="k", limit=3, window=window) for _ in range(3))
    assert not throttle_allows(key="k", limit=3, window=window)
    assert throttle_allows(key="other", limit=3, window=window)
    Throttle.objects.filter(key="k").update(window_started_at=timezone.now() - window)
    assert throttle_allows(key="k", limit=3, window=window)


def test_clients_are_known_by_a_hash_not_their_address(db):
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.7")
    key = client_key(request, "track")
    assert key.startswith("track:") and "203.0.113.7" not in key
    other = RequestFactory().get("/", REMOTE_ADDR="203.0.113.8")
    assert client_key(other, "track") != key


def test_old_counts_are_forgotten(db):
    Throttle.objects.create(key="old", window_started_at=timezone.now() - timedelta(days=2))
    throttle_allows(key="new", limit=1, window=timedelta(minutes=1))
    assert not Throttle.objects.filter(key="old").exists()


def test_tracking_is_limited_per_client(client, fly_tipping, monkeypatch):
    monkeypatch.setattr(views, "TRACK_LIMIT", 2)
    case = submitted_case(fly_tipping)
    data = {"reference": case.reference, "email": "resident@example.com"}
    assert client.post("/track/", data).status_code == 200
    assert client.post("/track/", data).status_code == 200
    response = client.post("/track/", data)
    assert response.status_code == 429
    body = response.content.decode()
    assert "Wait 15 minutes" in body and f"Request {case.reference}" not in body


def test_counting_an_attempt_is_one_statement_once_the_window_is_open(db):
    window = timedelta(minutes=1)
    throttle_allows(key="busy", limit=5, window=window)  # opens the window (and tidies)
    with CaptureQueriesContext(connection) as queries:
        assert throttle_allows(key="busy", limit=5, window=window)
    assert len(queries) == 1
    assert Throttle.objects.get(key="busy").count == 2
