"""Load shedding (ADR 0063): a request that waited longer than WEB_MAX_WAIT for
a thread is answered "Sorry, the service is busy" with a 503 and Retry-After,
and a refused form post writes nothing. Under `townhall serve` the web worker
says how long each request waited (test_serve.py shows it end to end); here the
test client says it, as that worker would."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from townhall.cases.models import Case, Draft
from townhall.core.busy import QUEUE_SECONDS, proxy_waited
from townhall.web.tests.test_journey import START, answer_all

pytestmark = pytest.mark.django_db

LATE = {QUEUE_SECONDS: 6.0}  # over the default WEB_MAX_WAIT of 5 seconds
IN_TIME = {QUEUE_SECONDS: 4.0}


def test_a_request_that_waited_too_long_gets_the_busy_page(client, fly_tipping):
    response = client.get(START, **LATE)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in response
    page = response.content.decode()
    assert page.count("<h1") == 1
    assert "Sorry, the service is busy</h1>" in page
    assert "<title>Sorry, the service is busy \N{EN DASH}" in page
    assert 'href="#main-content"' in page  # the skip link


def test_the_busy_page_reads_no_session_and_only_the_site(client, fly_tipping):
    answer_all(client)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"{START}check/", **LATE).status_code == 503
    # Only the site, for its name (remembered per process outside tests: CONFIG_MEMO_SECONDS).
    assert [q["sql"] for q in queries if "tenancy_site" not in q["sql"]] == []
    assert len(queries) == 1


def test_a_request_that_waited_less_is_served(client, fly_tipping):
    assert client.get(START, **IN_TIME).status_code == 200
    assert client.get(START).status_code == 200  # not under gunicorn: never refused


def test_the_busy_page_is_in_the_residents_language(client, fly_tipping):
    client.cookies["django_language"] = "cy"
    page = client.get(START, **LATE).content.decode()
    assert '<html lang="cy"' in page


def test_a_refused_submission_writes_nothing_and_can_be_sent_again(
    client, fly_tipping, django_capture_on_commit_callbacks
):
    answer_all(client)
    drafts = list(Draft.objects.values_list("pk", "updated_at"))

    refused = client.post(f"{START}check/", **LATE)

    assert refused.status_code == 503
    assert Case.objects.count() == 0
    assert list(Draft.objects.values_list("pk", "updated_at")) == drafts
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(f"{START}check/")
    assert sent["Location"] == f"{START}done/"
    case = Case.objects.get()
    assert case.events.count() >= 1


def test_a_refused_answer_is_not_saved(client, fly_tipping):
    url = f"{START}questions/what/"
    assert client.post(url, {"waste_type": "tyres"}, **LATE).status_code == 503
    assert Draft.objects.count() == 0
    assert client.post(url, {"waste_type": "tyres"})["Location"] == f"{START}questions/how-much/"


def test_health_checks_are_always_answered(client):
    assert client.get("/healthz", **LATE).status_code == 200


def test_an_api_client_gets_its_own_error_document(client):
    response = client.get("/open311/v2/services.json", **LATE)
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert response["Retry-After"] == "30"


def test_shedding_can_be_turned_off_and_the_retry_after_set(client, fly_tipping, settings):
    settings.WEB_MAX_WAIT = 0
    assert client.get(START, **{QUEUE_SECONDS: 600.0}).status_code == 200
    settings.WEB_MAX_WAIT = 0.5
    settings.WEB_BUSY_RETRY_AFTER = 120
    response = client.get(START, **{QUEUE_SECONDS: 0.6})
    assert response.status_code == 503
    assert response["Retry-After"] == "120"


def test_refusals_are_logged_once_a_minute_without_the_path(client, fly_tipping, caplog):
    from townhall.core import busy

    busy._refusals.logged_at = -busy.LOG_EVERY_SECONDS  # as in a new process
    busy._refusals.count = 0
    with caplog.at_level("INFO"):
        for _ in range(3):
            client.get(START, **LATE)
    messages = [r.getMessage() for r in caplog.records]
    assert messages == [
        "Busy: 1 request(s) answered 503 since the last report; the latest waited 6.0 s "
        "(WEB_MAX_WAIT is 5 s)."
    ]


def test_the_rest_api_is_told_it_is_busy_in_its_own_error_shape(client):
    response = client.get("/api/v1/services", **LATE)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "errors": [
            {
                "code": "busy",
                "message": "The service is busy. Try again after the seconds given in Retry-After.",
                "path": None,
            }
        ]
    }


# ---- X-Request-Start from a trusted proxy (WEB_PROXY_QUEUE_TIME, ADR 0073) ----


@pytest.fixture
def proxy_queue_time(settings):
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.TRUSTED_PROXY_COUNT = 1
    settings.WEB_PROXY_QUEUE_TIME = True
    return settings


def _started(seconds_ago: float, unit: float = 1.0, *, decimals: int = 3) -> str:
    value = (time.time() - seconds_ago) * unit
    return f"t={value:.{decimals}f}" if decimals else f"t={int(value)}"


NOW = 1_700_000_010.0  # a Unix time, in November 2023


@pytest.mark.parametrize(
    ("value", "waited"),
    [
        ("t=1700000000.250", 9.75),  # seconds, as nginx's t=${msec}
        ("1700000000.250", 9.75),  # no "t="
        ("t=1700000000250", 9.75),  # milliseconds
        ("t=1700000000250000", 9.75),  # microseconds
        ("t=1000250000000", None),  # milliseconds in 2001: a wrong clock, not a queue
        ("t=1700000010.5", 0.0),  # a moment in the future: clocks apart, no wait
        ("t=", None),
        ("t=soon", None),
        ("t=-5", None),
        ("", None),
    ],
)
def test_the_proxys_start_is_read_in_seconds_milliseconds_or_microseconds(value, waited):
    found = proxy_waited(value, now=NOW)
    assert found == (pytest.approx(waited) if waited is not None else None)


@pytest.mark.parametrize(
    ("unit", "decimals"), [(1.0, 3), (1e3, 0), (1e6, 0)], ids=["s", "ms", "us"]
)
def test_a_request_that_waited_at_the_proxy_gets_the_busy_page(
    client, fly_tipping, proxy_queue_time, unit, decimals
):
    late = client.get(
        START, HTTP_X_REQUEST_START=_started(6.0, unit, decimals=decimals), REMOTE_ADDR="127.0.0.1"
    )
    in_time = client.get(
        START, HTTP_X_REQUEST_START=_started(1.0, unit, decimals=decimals), REMOTE_ADDR="127.0.0.1"
    )

    assert late.status_code == 503
    assert late["Retry-After"] == "30"
    assert in_time.status_code == 200


def test_the_longer_of_the_proxys_and_the_threads_wait_counts(
    client, fly_tipping, proxy_queue_time
):
    started = _started(1.0)
    assert client.get(START, HTTP_X_REQUEST_START=started, **LATE).status_code == 503
    assert client.get(START, HTTP_X_REQUEST_START=_started(6.0), **IN_TIME).status_code == 503
    assert client.get(START, HTTP_X_REQUEST_START=started, **IN_TIME).status_code == 200


def test_a_start_sent_by_anyone_but_the_trusted_proxy_is_ignored(
    client, fly_tipping, proxy_queue_time
):
    # A client could otherwise have every request refused, or none.
    forged = {"HTTP_X_REQUEST_START": _started(60.0)}
    assert client.get(START, REMOTE_ADDR="203.0.113.9", **forged).status_code == 200


def test_the_proxys_start_is_ignored_unless_asked_for(client, fly_tipping, proxy_queue_time):
    proxy_queue_time.WEB_PROXY_QUEUE_TIME = False
    started = {"HTTP_X_REQUEST_START": _started(60.0), "REMOTE_ADDR": "127.0.0.1"}
    assert client.get(START, **started).status_code == 200


def test_a_start_that_is_not_a_time_is_no_wait(client, fly_tipping, proxy_queue_time):
    garbage = {"HTTP_X_REQUEST_START": "t=yesterday", "REMOTE_ADDR": "127.0.0.1"}
    assert client.get(START, **garbage).status_code == 200
