"""The REST API's services, contacts and areas, each only the key's council's."""

from __future__ import annotations

import json

import pytest

from townhall.cases.contacts import contact_log
from townhall.cases.models import Channel, Contact
from townhall.catalogue.factories import definition_data, service_create
from townhall.integrations.tests.conftest import POTHOLE, ApiClient
from townhall.places.geojson import AreaRecord
from townhall.places.lookup import cache_clear
from townhall.places.services import areas_import

pytestmark = pytest.mark.django_db


def test_services_list_the_councils_published_services(reader, street, other_council):
    service_create(organisation=other_council, definition=definition_data(slug="theirs"))
    body = reader.get("/services").json()
    assert [s["slug"] for s in body["results"]] == ["report-street-problem"]
    assert body["results"][0]["version"] == 1


def test_a_service_shows_its_questions_and_workflow(reader, street):
    body = reader.get("/services/report-street-problem").json()
    problem = body["questions"][0]
    assert (problem["id"], problem["type"], problem["required"]) == ("problem", "radios", True)
    assert [o["value"] for o in problem["options"]] == ["pothole", "street_light", "other"]
    assert body["initial_status"] == "received"
    statuses = {s["id"]: s for s in body["statuses"]}
    assert statuses["received"]["next"] == ["in_progress", "done"]
    assert statuses["done"]["closed"] is True


def test_another_councils_service_is_not_found(client, key_for, street, other_council):
    theirs = ApiClient(client, key_for("read", other_council))
    response = theirs.get("/services/report-street-problem")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


def test_contacts_list_every_channel_newest_first(writer, street, staff_user, council):
    reference = writer.post("/cases", {"service": street.slug, "answers": POTHOLE}).json()[
        "reference"
    ]
    contact_log(
        organisation=council,
        channel=Channel.PHONE,
        reason=Contact.Reason.GENERAL_ENQUIRY,
        outcome=Contact.Outcome.RESOLVED,
        actor=staff_user,
        duration_minutes=4,
    )
    body = writer.get("/contacts").json()
    assert [(c["channel"], c["case"]) for c in body["results"]] == [
        ("phone", None),
        ("api", reference),
    ]
    assert body["results"][0]["duration_minutes"] == 4
    assert [
        c["channel"] for c in writer.get("/contacts", {"channel": "api"}).json()["results"]
    ] == ["api"]
    one = body["results"][1]
    assert writer.get(f"/contacts/{one['id']}").json() == one


def test_another_councils_contact_is_not_found(writer, street, client, key_for, other_council):
    writer.post("/cases", {"service": street.slug, "answers": POTHOLE})
    contact = Contact.objects.get()
    theirs = ApiClient(client, key_for("read", other_council))
    assert theirs.get(f"/contacts/{contact.pk}").status_code == 404
    assert theirs.get("/contacts").json()["results"] == []
    assert writer.get(f"/contacts/{2**63}").status_code == 422  # out of range: never queried


def _ward(code: str, west: float) -> AreaRecord:
    ring = [[west, 51.0], [west + 1, 51.0], [west + 1, 52.0], [west, 52.0], [west, 51.0]]
    return AreaRecord(
        code=code,
        name=f"Ward {code}",
        name_cy="",
        geometry=json.dumps({"type": "Polygon", "coordinates": [ring]}),
        bbox=(west, 51.0, west + 1, 52.0),
    )


@pytest.fixture
def wards(council, other_council):
    cache_clear()
    areas_import(area_type="ward", records=[_ward("E05000001", -3.0)], organisation=council)
    areas_import(area_type="parish", records=[_ward("E04000001", -3.0)], organisation=council)
    areas_import(area_type="ward", records=[_ward("E05000002", -1.0)], organisation=other_council)


def test_areas_are_the_councils_a_page_at_a_time(reader, wards):
    first = reader.get("/areas", {"limit": 1}).json()
    second = reader.get("/areas", {"limit": 1, "cursor": first["next_cursor"]}).json()
    assert [a["code"] for a in first["results"] + second["results"]] == ["E05000001", "E04000001"]
    assert second["next_cursor"] is None
    assert [a["code"] for a in reader.get("/areas", {"type": "parish"}).json()["results"]] == [
        "E04000001"
    ]


def test_an_area_has_its_boundary(reader, wards):
    body = reader.get("/areas/ward/E05000001").json()
    assert body["geometry"]["type"] == "Polygon"
    assert body["bbox"] == [-3.0, 51.0, -2.0, 52.0]
    assert reader.get("/areas/ward/E05000002").status_code == 404  # another council's


def test_areas_at_a_point(reader, wards):
    found = reader.get("/areas/at", {"lon": -2.5, "lat": 51.5}).json()["results"]
    assert [(a["type"], a["code"]) for a in found] == [
        ("parish", "E04000001"),
        ("ward", "E05000001"),
    ]
    assert reader.get("/areas/at", {"lon": -0.5, "lat": 51.5}).json()["results"] == []
    assert reader.get("/areas/at", {"lon": 200, "lat": 51.5}).status_code == 422


@pytest.mark.parametrize(
    "moment",
    [
        "0419-11-28T12:03:54.1897-20:06",  # no real time zone is 20 hours behind
        "2026-01-01T00:00:00+15:00",
        "0001-01-01T00:00:00+01:00",  # before the year 1 in UTC
    ],
)
def test_times_in_no_real_time_zone_are_refused_with_a_message(reader, moment):
    response = reader.get("/contacts", {"created_before": moment})
    assert response.status_code in {400, 422}
    assert response.json()["errors"][0]["path"].endswith("created_before")
