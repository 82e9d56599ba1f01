"""Load shedding (ADR 0063): a request that waited longer than WEB_MAX_WAIT for
a thread is answered "Sorry, the service is busy" with a 503 and Retry-After,
and a refused form post writes nothing. Under `townhall serve` the web worker
says how long each request waited (test_serve.py shows it end to end); here the
test client says it, as that worker would."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from townhall.cases.models import Case, Draft
from townhall.core.busy import QUEUE_SECONDS
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
        "for a thread (WEB_MAX_WAIT is 5 s)."
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
