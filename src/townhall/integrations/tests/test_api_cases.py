"""The REST API's cases: created under the web journey's rules, read, listed
a page at a time, only ever the key's council's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from townhall.cases.models import Case, Channel, Contact
from townhall.catalogue.factories import definition_data, service_create
from townhall.integrations.tests.conftest import POTHOLE, ApiClient

pytestmark = pytest.mark.django_db


def create(api: ApiClient, answers=POTHOLE, service="report-street-problem", **headers):
    return api.post("/cases", {"service": service, "answers": answers}, **headers)


def test_a_case_is_created_through_the_journey_with_channel_api(writer, street):
    response = create(writer)
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get()
    assert body["reference"] == case.reference
    assert (case.channel, case.status, case.service) == (Channel.API, "received", street)
    assert body["answers"] == POTHOLE
    assert (body["status"], body["status_label"], body["is_open"]) == ("received", "Received", True)
    assert Contact.objects.get().case == case


def test_every_problem_with_the_answers_is_named_by_its_path(writer, street):
    response = create(writer, {"problem": "pothole", "depth": 500, "colour": "red"})
    assert response.status_code == 422
    paths = {e["path"] for e in response.json()["errors"]}
    assert paths == {"answers.depth", "answers.colour"}
    assert all(e["message"] for e in response.json()["errors"])
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"answers": POTHOLE}, "service"),
        ({"service": "report-street-problem"}, "answers"),
        ({"service": "report-street-problem", "answers": []}, "answers"),
        ({"service": "no such/thing", "answers": POTHOLE}, "service"),
        (
            {"service": "report-street-problem", "answers": POTHOLE, "declaration": "yes"},
            "declaration",
        ),
        ({"service": "report-street-problem", "answers": {"details": "a\x00b"}}, "answers.details"),
    ],
)
def test_a_malformed_request_is_refused_naming_the_field(writer, street, body, path):
    response = writer.post("/cases", body)
    assert response.status_code == 422, response.content
    assert path in {e["path"] for e in response.json()["errors"]}
    assert not Case.objects.exists()


def test_a_body_that_is_not_json_is_a_400_in_the_same_shape(writer, street):
    response = writer.client.post(
        "/api/v1/cases",
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {writer.key}"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "bad_request"


def test_unknown_and_other_councils_services_are_unavailable(writer, street, other_council):
    service_create(organisation=other_council, definition=definition_data(slug="theirs"))
    for slug in ["nothing", "theirs"]:
        response = create(writer, service=slug)
        assert response.status_code == 422
        assert response.json()["errors"][0]["path"] == "service"


def test_a_read_key_cannot_create(reader, street):
    response = create(reader)
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "forbidden"
    assert not Case.objects.exists()


def test_a_case_is_read_by_its_reference_in_any_case(writer, street):
    reference = create(writer).json()["reference"]
    response = writer.get(f"/cases/{reference.lower()}")
    assert response.status_code == 200
    assert response.json()["reference"] == reference


def test_another_councils_case_is_not_found(writer, street, client, key_for, other_council):
    reference = create(writer).json()["reference"]
    theirs = ApiClient(client, key_for("admin", other_council))
    assert theirs.get(f"/cases/{reference}").status_code == 404
    assert theirs.get("/cases").json()["results"] == []
    assert writer.get("/cases/not-a-reference").status_code == 404


def test_cases_come_newest_first_a_page_at_a_time(writer, street, django_assert_max_num_queries):
    made = [create(writer).json()["reference"] for _ in range(5)]
    seen, cursor = [], None
    while True:
        with django_assert_max_num_queries(6):
            page = writer.get("/cases", {"limit": 2, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200
        seen += [c["reference"] for c in page.json()["results"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(made))


def test_a_page_costs_the_same_queries_whatever_its_size(writer, street, django_assert_num_queries):
    for _ in range(3):
        create(writer)
    writer.get("/cases")  # the key's last use is written at most once a minute
    with CaptureQueriesContext(connection) as small:
        writer.get("/cases", {"limit": 1})
    with django_assert_num_queries(len(small.captured_queries)):
        writer.get("/cases", {"limit": 50})
    # The key, its rate limit (one upsert) and the page.
    assert len(small.captured_queries) == 3


def test_filters(writer, street, council):
    first = create(writer).json()["reference"]
    second = create(writer, {"problem": "other", "details": "Broken bench"}).json()["reference"]
    Case.objects.filter(reference=first).update(
        status="done", is_open=False, created_at=timezone.now() - timedelta(days=3)
    )
    service_create(organisation=council, definition=definition_data(slug="another"))

    def refs(**params):
        response = writer.get("/cases", params)
        assert response.status_code == 200, response.content
        return [c["reference"] for c in response.json()["results"]]

    assert refs(status="done") == [first]
    assert refs(open="true") == [second]
    assert refs(open="false") == [first]
    assert refs(service="report-street-problem") == [second, first]
    assert refs(service="another") == []
    assert refs(service="unknown") == []
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert refs(created_after=since) == [second]
    assert refs(created_before=since) == [first]


@pytest.mark.parametrize(
    ("params", "path"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 1000}, "limit"),
        ({"open": "perhaps"}, "open"),
        ({"created_after": "2026-01-01T00:00:00"}, "created_after"),  # no time zone
        ({"status": "a b"}, "status"),
    ],
)
def test_bad_filters_are_refused_naming_them(reader, params, path):
    response = reader.get("/cases", params)
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == path


@pytest.mark.parametrize("cursor", ["nonsense", "W10", "WyJ4IiwxXQ", "!!"])
def test_a_cursor_the_api_did_not_give_is_a_400(reader, cursor):
    response = reader.get("/cases", {"cursor": cursor})
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "cursor"
