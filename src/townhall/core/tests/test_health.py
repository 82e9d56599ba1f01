from __future__ import annotations

from unittest import mock

from django.db.utils import OperationalError


def test_healthz_answers_without_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_checks_the_database_and_task_queue(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "task_queue": "ok"}


def test_readyz_reports_an_unreachable_task_queue(client, db):
    with mock.patch(
        "townhall.core.views.DBTaskResult.objects.exists", side_effect=OperationalError("down")
    ):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["task_queue"] == "unavailable"
