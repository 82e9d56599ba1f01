"""Open311 reads: discovery, services and their attributes, requests and
tokens, in JSON (checked against the schemas) and XML (saying the same)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from townhall.cases.journey import case_create
from townhall.cases.models import Case, Channel
from townhall.cases.services import case_open
from townhall.catalogue.factories import (
    definition_data,
    options_data,
    page_data,
    question_data,
    service_create,
)
from townhall.catalogue.models import Service
from townhall.integrations.open311.request_create import token_for
from townhall.integrations.tests.open311_support import both, json_of, validate

pytestmark = pytest.mark.django_db

V2 = "/open311/v2"
ANSWERS = {
    "waste_type": "household",
    "size": "single",
    "location": {
        "text": "Mill Lane",
        "found_by": "map_pin",
        "point": {"lat": 51.5, "lon": -0.12},
        "areas": [],
    },
    "seen_on": "2026-01-05",
    "description": "A man at number 4 dumped it",
    "email": "resident@example.org",
}


def report(service: Service, **answers: Any) -> Case:
    assert service.published_version is not None
    return case_create(
        service_version=service.published_version,
        answers={**ANSWERS, **answers},
        channel=Channel.WEB,
    )


def every_type_definition(**extra: Any) -> dict[str, Any]:
    return definition_data(
        page_data(
            "all",
            question_data("title", "text", "Title", hint="A few words"),
            question_data("story", "textarea", "What happened"),
            question_data("count", "number", "How many", required=False),
            question_data("day", "date", "When", required=False),
            question_data("kind", "radios", "Kind", options=options_data("a", "b")),
            question_data("pick", "select", "Pick", options=options_data("x"), required=False),
            question_data("many", "checkboxes", "Which", options=options_data("p", "q")),
            question_data("urgent", "yes_no", "Urgent?", required=False),
            question_data("where", "location", "Where"),
            question_data("photo", "file", "Photo", required=False),
            question_data("email", "email", "Email", contact="email", required=False),
        ),
        slug="every-type",
        name="Every type",
        **extra,
    )


def test_discovery_names_the_endpoint_and_its_formats(client):
    data = both(client, f"{V2}/discovery", "discovery.json")

    assert data["endpoints"][0]["url"] == "http://testserver/open311/v2/"
    assert client.get("/open311/discovery.json").status_code == 200


def test_services_lists_only_public_services_of_the_council(client, fly_tipping, other_fly_tipping):
    private = definition_data(slug="staff-only", name="Staff only", audience="staff")
    service_create(organisation=fly_tipping.organisation, definition=private)

    data = both(client, f"{V2}/services", "services.json", jurisdiction_id="example")

    assert [s["service_code"] for s in data] == ["report-fly-tipping"]
    assert data[0]["metadata"] is True
    other = both(client, f"{V2}/services", "services.json", jurisdiction_id="other")
    assert [s["service_code"] for s in other] == ["report-fly-tipping"]


def test_an_unknown_jurisdiction_is_an_error(client, fly_tipping):
    response = client.get(f"{V2}/services.json", {"jurisdiction_id": "nowhere"})

    assert response.status_code == 404
    assert (
        json_of(response, "errors.json")[0]["description"] == "jurisdiction_id not found: nowhere"
    )


def test_several_councils_need_a_jurisdiction(client, fly_tipping, other_council):
    from townhall.tenancy.models import Site

    Site.objects.get(host="testserver").organisations.add(other_council)

    response = client.get(f"{V2}/services.json")

    assert response.status_code == 400
    assert "jurisdiction_id is required" in json_of(response, "errors.json")[0]["description"]


def test_attributes_come_from_the_questions_through_the_type_registry(client, council):
    service_create(organisation=council, definition=every_type_definition())

    data = both(client, f"{V2}/services/every-type", "service_definition.json")

    attributes = {a["code"]: a for a in data["attributes"]}
    assert {code: a["datatype"] for code, a in attributes.items()} == {
        "title": "string",
        "count": "number",
        "day": "datetime",
        "kind": "singlevaluelist",
        "pick": "singlevaluelist",
        "many": "multivaluelist",
        "urgent": "singlevaluelist",
    }  # story is `description`, where lat/long, photo media, email the email field
    assert [a["order"] for a in data["attributes"]] == list(range(1, 8))
    assert attributes["title"]["datatype_description"] == "A few words"
    assert attributes["kind"]["values"] == [{"key": "a", "name": "A"}, {"key": "b", "name": "B"}]
    assert attributes["urgent"]["values"] == [
        {"key": "true", "name": "Yes"},
        {"key": "false", "name": "No"},
    ]
    assert (attributes["title"]["required"], attributes["count"]["required"]) == (True, False)
    singular = client.get(f"{V2}/service/every-type.json")
    assert json_of(singular, "service_definition.json") == data


def test_a_private_or_unknown_service_is_not_found(client, council):
    service_create(
        organisation=council, definition=definition_data(slug="staff-only", audience="staff")
    )

    for code in ("staff-only", "nothing-here"):
        response = client.get(f"{V2}/services/{code}.xml")
        assert response.status_code == 404
        assert b"<errors><error><code>404</code>" in response.content


def test_requests_show_public_facts_and_never_personal_data(client, fly_tipping):
    case = report(fly_tipping)

    data = both(client, f"{V2}/requests", "requests.json")

    (request,) = data
    assert request["service_request_id"] == case.reference
    assert (request["status"], request["status_notes"]) == ("open", "Received")
    assert (request["lat"], request["long"], request["address"]) == (51.5, -0.12, "Mill Lane")
    assert request["description"] == "Household rubbish"  # the summary line, not the free text
    body = client.get(f"{V2}/requests.json").content + client.get(f"{V2}/requests.xml").content
    assert b"resident@example.org" not in body
    assert b"number 4" not in body


@pytest.mark.parametrize(
    ("stored", "written"),
    [
        # Summer time, and a fraction of a second that is dropped, not rounded.
        ("2026-07-01T10:15:30.999999+00:00", "2026-07-01T11:15:30+01:00"),
        ("2026-01-15T23:59:59.500000+00:00", "2026-01-15T23:59:59+00:00"),
        # The hour that happens twice when the clocks go back.
        ("2026-10-25T00:30:00+00:00", "2026-10-25T01:30:00+01:00"),
        ("2026-10-25T01:30:00+00:00", "2026-10-25T01:30:00+00:00"),
    ],
)
def test_request_times_are_local_to_the_second_with_their_offset(
    client, fly_tipping, stored, written
):
    case = report(fly_tipping)
    moment = datetime.fromisoformat(stored)
    Case.objects.filter(pk=case.pk).update(created_at=moment, updated_at=moment, due_at=None)

    data = both(client, f"{V2}/requests", "requests.json", service_request_id=case.reference)
    (one,) = both(client, f"{V2}/requests/{case.reference}", "requests.json")

    assert data == [one]
    assert one["requested_datetime"] == one["updated_datetime"] == written
    assert one["expected_datetime"] is None


def test_a_service_not_shown_on_maps_gives_no_place(client, council):
    data = definition_data(
        page_data("where", question_data("where", "location", "Where")), public_on_map=False
    )
    service = service_create(organisation=council, definition=data)
    assert service.published_version is not None
    case_create(
        service_version=service.published_version,
        answers={"where": {"text": "12 Home Road", "found_by": "description", "areas": []}},
        channel=Channel.WEB,
    )

    (request,) = both(client, f"{V2}/requests", "requests.json")

    assert (request["address"], request["lat"]) == ("", None)


def test_requests_of_private_services_are_never_listed(client, council, fly_tipping):
    private = service_create(
        organisation=council, definition=definition_data(slug="staff-only", audience="staff")
    )
    assert private.published_version is not None
    with transaction.atomic():  # as staff record one: no other way reaches it
        hidden = case_open(
            service_version=private.published_version,
            channel=Channel.PHONE,
            definition=private.published_version.parsed,
            answers={"name": "Ann"},
            actor=None,
        )

    listed = both(client, f"{V2}/requests", "requests.json")
    assert hidden.reference not in [r["service_request_id"] for r in listed]
    assert client.get(f"{V2}/requests/{hidden.reference}.json").status_code == 404
    by_id = both(client, f"{V2}/requests", "requests.json", service_request_id=hidden.reference)
    assert by_id == []


def test_requests_filter_by_id_code_status_and_dates(client, fly_tipping, council):
    first, second = report(fly_tipping), report(fly_tipping)
    Case.objects.filter(pk=first.pk).update(
        is_open=False, created_at=timezone.now() - timedelta(days=30)
    )

    def ids(**get: Any) -> list[str]:
        return [
            r["service_request_id"] for r in both(client, f"{V2}/requests", "requests.json", **get)
        ]

    assert ids() == [second.reference, first.reference]
    assert ids(status="closed") == [first.reference]
    assert ids(status="open,closed") == [second.reference, first.reference]
    assert ids(service_code="nothing") == []
    assert ids(service_request_id=f"{first.reference},{second.reference}", status="open") == [
        second.reference,
        first.reference,
    ]  # the ids override the other filters
    since = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(start_date=since) == [second.reference]
    assert ids(page_size="1", page="2") == [first.reference]


@pytest.mark.parametrize(
    ("get", "words"),
    [
        ({"start_date": "yesterday"}, "start_date must be a W3C date"),
        ({"start_date": "2026-01-01", "end_date": "2026-06-01"}, "more than 90 days"),
        ({"start_date": "2026-02-01", "end_date": "2026-01-01"}, "must not be before"),
        ({"status": "pending"}, "status must be open or closed"),
        ({"page_size": "0"}, "page_size must be a whole number"),
        ({"page": "-1"}, "page must be a whole number"),
    ],
)
def test_bad_filters_are_errors_naming_the_parameter(client, fly_tipping, get, words):
    response = client.get(f"{V2}/requests.json", get)

    assert response.status_code == 400
    assert words in json_of(response, "errors.json")[0]["description"]


def test_listing_requests_takes_the_same_queries_however_many(client, fly_tipping):
    for _n in range(3):
        report(fly_tipping)
    client.get(f"{V2}/requests.json")  # the first read of a version also reads its definition
    with CaptureQueriesContext(connection) as few:
        client.get(f"{V2}/requests.json")
    for _n in range(10):
        report(fly_tipping)

    with CaptureQueriesContext(connection) as many:
        response = client.get(f"{V2}/requests.json")

    assert len(json_of(response, "requests.json")) == 13
    assert len(many) == len(few) <= 4  # site, its councils, services, cases


def test_one_request_is_an_array_of_one_with_extensions_on_request(client, fly_tipping):
    case = report(fly_tipping)

    data = both(client, f"{V2}/requests/{case.reference}", "requests.json", extensions="true")

    assert len(data) == 1
    assert data[0]["extended_attributes"] == {"external_status": "OPEN", "status_label": "Received"}
    missing = client.get(f"{V2}/requests/EXA-2026-00000000.json")
    assert missing.status_code == 404
    validate("errors.json", missing.json())


def test_a_token_names_its_request(client, fly_tipping):
    case = report(fly_tipping)
    token = token_for(case)

    data = both(client, f"{V2}/tokens/{token}", "tokens.json")

    assert data == [{"token": token, "service_request_id": case.reference}]
    assert client.get(f"{V2}/tokens/{token}x.json").status_code == 404


def test_unknown_endpoints_formats_and_methods_are_error_documents(client, fly_tipping):
    for url, status in (
        (f"{V2}/nothing.json", 404),
        (f"{V2}/services.html", 404),
        (f"{V2}/services.yaml", 404),
    ):
        response = client.get(url)
        assert response.status_code == status
        validate("errors.json", response.json())
    response = client.delete(f"{V2}/services.json")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
