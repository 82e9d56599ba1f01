"""`Idempotency-Key`: a retried POST gets the first answer and makes nothing
new, even when the copies arrive at the same moment."""

from __future__ import annotations

import contextlib
import io
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from townhall.cases.models import Case
from townhall.integrations.idempotency import idempotent_requests_purge
from townhall.integrations.models import IdempotentRequest
from townhall.integrations.tests.conftest import POTHOLE, ApiClient

BODY = {"service": "report-street-problem", "answers": POTHOLE}


@pytest.mark.django_db
def test_a_retry_gets_the_first_answer_and_makes_nothing_new(writer, street):
    first = writer.post("/cases", BODY, **{"Idempotency-Key": "order-1"})
    again = writer.post("/cases", BODY, **{"Idempotency-Key": "order-1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_the_same_body_in_another_order_is_the_same_request(writer, street):
    writer.post("/cases", BODY, **{"Idempotency-Key": "k"})
    reordered = {"answers": dict(reversed(list(POTHOLE.items()))), "service": BODY["service"]}
    assert writer.post("/cases", reordered, **{"Idempotency-Key": "k"}).status_code == 201
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_a_different_request_with_a_used_key_is_refused(writer, street):
    writer.post("/cases", BODY, **{"Idempotency-Key": "k"})
    other = {**BODY, "answers": {**POTHOLE, "depth": 3}}
    response = writer.post("/cases", other, **{"Idempotency-Key": "k"})
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert (error["code"], error["path"]) == ("idempotency_key_reused", "Idempotency-Key")
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_keys_are_per_api_key(writer, street, client, key_for):
    other = ApiClient(client, key_for("write"))
    writer.post("/cases", BODY, **{"Idempotency-Key": "k"})
    assert other.post("/cases", BODY, **{"Idempotency-Key": "k"}).status_code == 201
    assert Case.objects.count() == 2


@pytest.mark.django_db
def test_a_refused_request_is_not_remembered(writer, street):
    bad = {**BODY, "answers": {"problem": "pothole"}}
    assert writer.post("/cases", bad, **{"Idempotency-Key": "k"}).status_code == 422
    assert not IdempotentRequest.objects.exists()
    assert writer.post("/cases", BODY, **{"Idempotency-Key": "k"}).status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", " padded ", "x" * 256, "naïve"])
def test_a_malformed_key_is_refused(writer, street, key):
    response = writer.post("/cases", BODY, **{"Idempotency-Key": key})
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "Idempotency-Key"
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_old_answers_are_purged(writer, street):
    writer.post("/cases", BODY, **{"Idempotency-Key": "old"})
    writer.post("/cases", BODY, **{"Idempotency-Key": "new"})
    IdempotentRequest.objects.filter(key="old").update(
        created_at=timezone.now() - timedelta(hours=25)
    )
    assert idempotent_requests_purge() == 1
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["new"]
    IdempotentRequest.objects.update(created_at=timezone.now() - timedelta(hours=2))
    call_command("api_idempotency_purge", "--hours", "1", stdout=io.StringIO())
    assert not IdempotentRequest.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_copies_at_once_make_one_case(street, key_for):
    """The copies really overlap: the first to reach case_create waits there
    (up to 2 seconds) for the other. Without the key's row the other would
    get there too and make a second case; with it, it waits on the key until
    the first commits, then answers as the first did."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: the copies cannot overlap")
    key = key_for("write")
    results: list[tuple[int, dict]] = []
    barrier = threading.Barrier(2, timeout=2)

    def send() -> None:
        try:
            api = ApiClient(Client(), key)
            response = api.post("/cases", BODY, **{"Idempotency-Key": "same"})
            results.append((response.status_code, response.json()))
        finally:
            connection.close()

    from townhall.cases import journey

    original = journey.case_create

    def slow_create(**kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()  # the second copy only gets here if the key let it through
        return original(**kwargs)

    journey_patch = pytest.MonkeyPatch()
    journey_patch.setattr("townhall.integrations.api.cases.case_create", slow_create)
    try:
        threads = [threading.Thread(target=send) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        journey_patch.undo()
    assert [status for status, _body in results] == [201, 201]
    assert results[0][1] == results[1][1]
    assert Case.objects.count() == 1
    assert IdempotentRequest.objects.count() == 1
