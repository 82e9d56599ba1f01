"""Open311 POST requests: cases made through the journey service's rules, on
the API channel, recorded against the client's key."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from townhall.cases.models import Attachment, Case, CaseEvent, Contact
from townhall.catalogue.factories import service_create
from townhall.integrations.keys import api_key_create
from townhall.integrations.tests.open311_support import json_of, xml_data, xml_of
from townhall.integrations.tests.test_open311_read import every_type_definition

pytestmark = pytest.mark.django_db

URL = "/open311/v2/requests.json"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def fly_tipping_post(key: str, **extra: Any) -> dict[str, Any]:
    return {
        "api_key": key,
        "service_code": "report-fly-tipping",
        "lat": "51.5",
        "long": "-0.12",
        "address_string": "Behind the library, Mill Lane",
        "attribute[waste_type]": "furniture",
        "attribute[size]": "car_boot",
        "attribute[seen_on]": "2026-01-05T10:00:00Z",
        "email": "Resident@Example.org",
        "description": "Two sofas",
        "first_name": "Ann",
        **extra,
    }


def errors(response: Any) -> list[str]:
    return [error["description"] for error in json_of(response, "errors.json")]


def test_a_request_makes_a_case_on_the_api_channel_for_the_client(client, fly_tipping, write_key):
    response = client.post(URL, fly_tipping_post(write_key))

    assert response.status_code == 200
    (created,) = json_of(response, "request_created.json")
    case = Case.objects.get(reference=created["service_request_id"])
    assert case.channel == "api"
    assert case.answers["waste_type"] == "furniture"
    assert case.answers["seen_on"] == "2026-01-05"
    assert case.answers["description"] == "Two sofas"
    assert case.answers["location"]["point"] == {"lat": 51.5, "lon": -0.12}
    assert case.contact_email == "resident@example.org"
    contact = Contact.objects.get(case=case)
    assert (contact.channel, contact.client) == ("api", "Highways system")
    assert case.events.get(kind=CaseEvent.Kind.SUBMITTED).payload["client"] == "Highways system"
    assert "Ann" not in str(case.answers)  # the service does not ask for a name: not kept


def test_a_request_answered_in_xml(client, fly_tipping, write_key):
    response = client.post("/open311/v2/requests.xml", fly_tipping_post(write_key))

    root = xml_of(response)
    (created,) = xml_data(root)
    assert Case.objects.filter(reference=created["service_request_id"]).exists()


def test_every_datatype_is_read_as_the_web_form_reads_it(client, council, write_key):
    service_create(organisation=council, definition=every_type_definition())

    response = client.post(
        URL,
        {
            "api_key": write_key,
            "service_code": "every-type",
            "address_string": "The corner of Mill Lane and High Street",
            "attribute[title]": "  Broken bench ",
            "description": "It fell over",
            "attribute[count]": "3",
            "attribute[day]": "2026-01-05",
            "attribute[kind]": "b",
            "attribute[many][]": ["p", "q"],
            "attribute[urgent]": "false",
        },
    )

    assert response.status_code == 200, response.content
    case = Case.objects.get()
    assert {
        key: case.answers[key] for key in ("title", "count", "day", "kind", "many", "urgent")
    } == {
        "title": "Broken bench",
        "count": 3,
        "day": "2026-01-05",
        "kind": "b",
        "many": ["p", "q"],
        "urgent": False,
    }
    assert case.answers["story"] == "It fell over"
    assert case.answers["where"]["found_by"] == "description"


def test_answers_are_checked_as_on_the_web_and_every_problem_named(client, council, write_key):
    service_create(organisation=council, definition=every_type_definition())

    response = client.post(
        URL,
        {
            "api_key": write_key,
            "service_code": "every-type",
            "attribute[count]": "lots",
            "attribute[kind]": "z",
            "attribute[day]": "2026-02-30",
            "attribute[nothing]": "x",
        },
    )

    assert response.status_code == 400
    assert errors(response) == ["attribute[nothing]: this service has no such attribute"]
    response = client.post(
        URL,
        {
            "api_key": write_key,
            "service_code": "every-type",
            "attribute[count]": "lots",
            "attribute[kind]": "z",
            "attribute[day]": "2026-02-30",
        },
    )
    found = errors(response)
    assert any(text.startswith("attribute[count]: ") for text in found)
    assert any(text.startswith("attribute[kind]: ") for text in found)
    assert any(text.startswith("attribute[day]: ") for text in found)
    assert any(text.startswith("lat/long or address_string: ") for text in found)
    assert any(text.startswith("attribute[title]: ") for text in found)
    assert not Case.objects.exists()


def test_an_uploaded_photo_is_checked_and_kept_with_the_case(client, fly_tipping, write_key):
    photo = SimpleUploadedFile("photo.jpg", PNG, content_type="image/jpeg")

    response = client.post(URL, fly_tipping_post(write_key, media=photo))

    assert response.status_code == 200, response.content
    attachment = Attachment.objects.get()
    assert (attachment.case.reference, attachment.content_type) == (
        response.json()[0]["service_request_id"],
        "image/png",
    )


def test_a_file_of_the_wrong_kind_is_refused(client, fly_tipping, write_key):
    pdf = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")

    response = client.post(URL, fly_tipping_post(write_key, media=pdf))

    assert response.status_code == 400
    assert errors(response) == ["media: The file photo.jpg must be a JPG or PNG"]
    assert not Attachment.objects.exists()


def test_a_service_without_a_file_question_takes_no_media(client, council, write_key):
    data = every_type_definition()
    data["pages"][0]["questions"] = [
        q for q in data["pages"][0]["questions"] if q["type"] != "file"
    ]
    service_create(organisation=council, definition=data)

    response = client.post(
        URL,
        {
            "api_key": write_key,
            "service_code": "every-type",
            "media": SimpleUploadedFile("a.png", PNG),
        },
    )

    assert errors(response) == ["media: this service does not take files"]


def test_repeated_media_urls_are_recorded(client, fly_tipping, write_key):
    links = ["https://photos.example/1.jpg", "https://photos.example/2.jpg"]

    response = client.post(URL, fly_tipping_post(write_key, media_url=links))

    case = Case.objects.get(reference=response.json()[0]["service_request_id"])
    assert case.events.get(kind=CaseEvent.Kind.SUBMITTED).payload["media_urls"] == links
    bad = client.post(URL, fly_tipping_post(write_key, media_url="file:///etc/passwd"))
    assert errors(bad) == ["media_url[0]: Give a web address starting with http:// or https://"]


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"api_key": ""}, 403, "api_key is missing or not valid"),
        ({"api_key": "th_000000000000_" + "a" * 43}, 403, "api_key is missing or not valid"),
        ({"service_code": ""}, 400, "service_code is required"),
        ({"service_code": "no-such"}, 400, "service_code not found: no-such"),
        ({"jurisdiction_id": "other"}, 403, "not valid for this jurisdiction_id"),
        # The key is read first (with its council), but an unknown council is a 404 still.
        ({"jurisdiction_id": "nowhere"}, 404, "jurisdiction_id not found: nowhere"),
        ({"jurisdiction_id": "nowhere", "api_key": ""}, 404, "jurisdiction_id not found"),
        ({"lat": "north"}, 400, "lat and long must both be decimal degrees"),
        ({"lat": "91"}, 400, "lat must be -90 to 90"),
        ({"lat": "nan"}, 400, "lat must be -90 to 90"),
        ({"description": "x" * 4001}, 400, "description is too long"),
    ],
)
def test_bad_requests_are_spec_errors(
    client, fly_tipping, other_council, write_key, change, status, words
):
    response = client.post(URL, fly_tipping_post(write_key, **change))

    assert response.status_code == status
    assert any(words in text for text in errors(response))
    assert not Case.objects.exists()


def test_a_read_only_key_cannot_create(client, fly_tipping, read_key):
    response = client.post(URL, fly_tipping_post(read_key))

    assert response.status_code == 403
    assert errors(response) == ["api_key does not have the write scope"]


def test_a_revoked_key_cannot_create(client, fly_tipping, council):
    from townhall.integrations.keys import api_key_revoke

    made = api_key_create(organisation=council, name="Old system", scope="write")
    api_key_revoke(api_key=made.api_key)

    assert client.post(URL, fly_tipping_post(made.key)).status_code == 403


def test_each_key_is_rate_limited(client, fly_tipping, write_key, settings):
    settings.API_RATE_LIMIT = 2

    statuses = [client.post(URL, fly_tipping_post(write_key)).status_code for _n in range(3)]

    assert statuses == [200, 200, 429]
    assert Case.objects.count() == 2


def test_a_request_to_a_staff_only_service_is_refused(client, council, write_key):
    data = every_type_definition(audience="staff")
    service_create(organisation=council, definition=data)

    response = client.post(URL, {"api_key": write_key, "service_code": "every-type"})

    assert errors(response) == ["service_code not found: every-type"]
