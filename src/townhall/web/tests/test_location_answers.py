"""Location answers without JavaScript, on the resident's and the staff paths:
a postcode looked up in the demo place and confirmed on the same page, the
reasons a postcode cannot be used, a description alone; the areas a case
records, routing by area and the staff case page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from townhall.cases.journey import case_create
from townhall.cases.models import Case, Draft
from townhall.cases.retention import case_redact
from townhall.catalogue.factories import definition_data, page_data, question_data, service_create
from townhall.places.demo import demo_place_load
from townhall.places.lookup import cache_clear
from townhall.places.models import Area
from townhall.places.services import areas_version_bump
from townhall.tenancy.factories import OrganisationFactory
from townhall.tenancy.models import Team


def seen_yesterday() -> dict[str, str]:
    """The fly-tipping date boxes filled in with yesterday (within its date rules)."""
    day = timezone.localdate() - dt.timedelta(days=1)
    return {
        "seen_on-day": str(day.day),
        "seen_on-month": str(day.month),
        "seen_on-year": str(day.year),
    }


WESTVALE_SW = "ZX1 1AA"  # Westvale South West ward, Westvale district
EASTVALE_SW = "ZX2 1AE"  # Eastvale South West ward, Eastvale district
TERMINATED = "ZX1 1DA"
WESTVALE_AREAS = ["E05900001", "E07900001", "E10900001"]
FOUND = "ZX1 1AA, in Westvale South West, Westvale, Exampleshire"

PATHS = {
    "resident": "/services/report-fly-tipping/",
    "staff": "/staff/assisted/report-fly-tipping/",
}


@pytest.fixture(autouse=True)
def demo_place(council) -> Iterator[None]:
    cache_clear()
    demo_place_load(organisation=council)
    yield
    cache_clear()


@pytest.fixture(params=["resident", "staff"])
def journey(request, client, fly_tipping):
    """(client, start) for someone reporting fly-tipping, online or by phone."""
    if request.param == "staff":
        client = request.getfixturevalue("staff_client")
        client.post(PATHS["staff"], {"channel": "phone"})
    else:
        client.get(PATHS["resident"])
    return client, PATHS[request.param]


def answer_before_where(client, start: str) -> None:
    for name, data in [("what", {"waste_type": "tyres"}), ("how-much", {"size": "single"})]:
        assert client.post(f"{start}questions/{name}/", data).status_code == 302


def answer_after_where(client, start: str) -> None:
    for name, data in [
        ("when", seen_yesterday()),
        ("details", {"description": ""}),
        ("photo", {}),
        ("contact", {"email": "resident@example.com"}),
    ]:
        response = client.post(f"{start}questions/{name}/", data)
        assert response.status_code == 302, (name, response.content.decode()[:1500])


def test_a_postcode_found_is_confirmed_on_the_page_then_the_case_records_its_areas(
    journey, django_capture_on_commit_callbacks
):
    client, start = journey
    answer_before_where(client, start)
    shown = client.post(f"{start}questions/where/", {"location": "zx1 1aa"})
    assert shown.status_code == 200
    body = shown.content.decode()
    assert f"We found {FOUND}." in body
    assert "Select Continue to use this place, or change what you typed." in body
    assert 'name="location-confirmed" value="ZX1 1AA"' in body
    assert "govuk-error-summary" not in body
    assert 'aria-describedby="location-hint location-found"' in body

    confirmed = client.post(
        f"{start}questions/where/", {"location": "zx1 1aa", "location-confirmed": "ZX1 1AA"}
    )
    assert confirmed.status_code == 302
    answer = Draft.objects.get().answers["location"]
    assert answer["found_by"] == "postcode"
    assert answer["postcode"] == WESTVALE_SW
    assert {a["code"] for a in answer["areas"]} == set(WESTVALE_AREAS)

    answer_after_where(client, start)
    check = client.get(f"{start}check/").content.decode()
    assert "zx1 1aa, in Westvale South West, Westvale, Exampleshire" in check
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{start}check/").status_code == 302
    case = Case.objects.get()
    assert case.area_codes == sorted(WESTVALE_AREAS)


def test_going_back_to_a_confirmed_postcode_needs_no_second_confirmation(journey):
    client, start = journey
    answer_before_where(client, start)
    where = f"{start}questions/where/"
    client.post(where, {"location": WESTVALE_SW, "location-confirmed": WESTVALE_SW})
    again = client.get(f"{start}questions/where/").content.decode()
    assert 'name="location-confirmed" value="ZX1 1AA"' in again
    assert "We found" not in again


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("ZX1 1A", "Enter a real postcode, like SW1A 2AA"),
        (
            "ZX1 9ZZ",
            "We cannot find the postcode ZX1 9ZZ. Check it, or describe the place instead.",
        ),
        (
            TERMINATED,
            "The postcode ZX1 1DA is no longer in use. Enter the postcode used now, "
            "or describe the place instead.",
        ),
    ],
)
def test_a_postcode_that_cannot_be_used_gets_its_own_message(journey, typed, message):
    client, start = journey
    answer_before_where(client, start)
    response = client.post(f"{start}questions/where/", {"location": typed})
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body
    assert message in body
    assert "We found" not in body
    assert "location" not in Draft.objects.get().answers


def test_a_description_alone_is_accepted_without_a_point_and_a_single_letter_is_not(
    journey, django_capture_on_commit_callbacks
):
    client, start = journey
    answer_before_where(client, start)
    short = client.post(f"{start}questions/where/", {"location": "A"}).content.decode()
    assert "Describe where you saw the fly-tipping in more detail (10 characters or more)" in short
    response = client.post(f"{start}questions/where/", {"location": "Layby on the A40"})
    assert response.status_code == 302
    answer_after_where(client, start)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{start}check/")
    case = Case.objects.get()
    assert case.answers["location"] == {"text": "Layby on the A40", "found_by": "description"}
    assert case.area_codes == []


def test_the_staff_case_page_shows_the_place_and_its_areas(
    staff_client, fly_tipping, django_capture_on_commit_callbacks
):
    answers = {
        "waste_type": "tyres",
        "size": "single",
        "location": {
            "text": WESTVALE_SW,
            "found_by": "postcode",
            "postcode": WESTVALE_SW,
            "point": {"lon": -1.76, "lat": 52.03},
            "areas": [
                {"type": "ward", "code": "E05900001", "name": "Westvale South West"},
                {"type": "district", "code": "E07900001", "name": "Westvale"},
                {"type": "county", "code": "E10900001", "name": "Exampleshire"},
            ],
        },
        "seen_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "email": "resident@example.com",
    }
    with django_capture_on_commit_callbacks(execute=True):
        case = case_create(
            service_version=fly_tipping.published_version, answers=answers, channel="api"
        )
    assert case.area_codes == sorted(WESTVALE_AREAS)
    page = staff_client.get(f"/staff/cases/{case.reference}/").content.decode()
    assert FOUND in page
    assert len(mail.outbox) == 1


def test_an_answer_stored_as_plain_text_still_shows_and_submits(
    staff_client, fly_tipping, django_capture_on_commit_callbacks
):
    answers = {
        "waste_type": "tyres",
        "size": "single",
        "location": "Behind the shops on Castle Street, OX1 1AA",
        "seen_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "email": "resident@example.com",
    }
    with django_capture_on_commit_callbacks(execute=True):
        case = case_create(
            service_version=fly_tipping.published_version, answers=answers, channel="api"
        )
    assert case.area_codes == []
    page = staff_client.get(f"/staff/cases/{case.reference}/").content.decode()
    assert "Behind the shops on Castle Street, OX1 1AA" in page


def bin_report() -> dict[str, object]:
    """A service routed to the Westvale team for places in Westvale, else to Eastvale's."""
    return definition_data(
        page_data("where", question_data("location", "location", "Where is it?")),
        slug="report-a-bin",
        name="Report a bin",
        routing={
            "team": "east",
            "rules": [{"when": {"question": "location", "in_area": "E07900001"}, "team": "west"}],
        },
    )


def test_a_case_is_routed_to_a_team_by_the_area_its_place_is_in(
    client, council, django_capture_on_commit_callbacks
):
    for slug, name in [("west", "Westvale team"), ("east", "Eastvale team")]:
        Team.objects.create(organisation=council, slug=slug, name=name)
    service_create(organisation=council, definition=bin_report())
    start = "/services/report-a-bin/"
    for postcode in (WESTVALE_SW, EASTVALE_SW):
        client.cookies.clear()
        client.get(start)
        where = f"{start}questions/where/"
        client.post(where, {"location": postcode, "location-confirmed": postcode})
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(f"{start}check/").status_code == 302
    teams = dict(Case.objects.values_list("answers__location__postcode", "team__slug"))
    assert teams == {WESTVALE_SW: "west", EASTVALE_SW: "east"}


def test_the_staff_preview_words_a_rule_on_an_area(staff_client, council):
    service_create(organisation=council, definition=bin_report())
    body = staff_client.get("/staff/services/report-a-bin/versions/1/").content.decode()
    assert "When “Where is it?” is in the area “E07900001”: team west" in " ".join(body.split())


def test_redaction_keeps_the_area_codes_but_not_the_place(
    fly_tipping, django_capture_on_commit_callbacks
):
    answers = {
        "waste_type": "tyres",
        "size": "single",
        "location": {
            "text": WESTVALE_SW,
            "found_by": "postcode",
            "postcode": WESTVALE_SW,
            "point": {"lon": -1.76, "lat": 52.03},
            "areas": [],
        },
        "seen_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "email": "resident@example.com",
    }
    with django_capture_on_commit_callbacks(execute=True):
        case = case_create(
            service_version=fly_tipping.published_version, answers=answers, channel="api"
        )
    case_redact(case=case)
    case.refresh_from_db()
    assert case.answers == {}
    assert case.area_codes == sorted(WESTVALE_AREAS)


# --- the map: what its script sends, and what it fetches ------------------------


def pin(lon: str = "-1.76", lat: str = "52.03", found_by: str = "map_pin", **more: str):
    return {"location-found-by": found_by, "location-lon": lon, "location-lat": lat, **more}


def test_a_pin_dropped_on_the_map_stores_its_point_and_areas(
    journey, django_capture_on_commit_callbacks
):
    client, start = journey
    answer_before_where(client, start)
    sent = client.post(f"{start}questions/where/", pin(location="By the recycling bins"))
    assert sent.status_code == 302
    answer = Draft.objects.get().answers["location"]
    assert answer["found_by"] == "map_pin"
    assert answer["text"] == "By the recycling bins"
    assert answer["point"] == {"lon": -1.76, "lat": 52.03}
    assert {a["code"] for a in answer["areas"]} == set(WESTVALE_AREAS)

    again = client.get(f"{start}questions/where/").content.decode()
    assert 'data-pin-found-by="map_pin" data-pin-lon="-1.76" data-pin-lat="52.03"' in again
    answer_after_where(client, start)
    check = client.get(f"{start}check/").content.decode()
    assert "By the recycling bins, in Westvale South West, Westvale, Exampleshire" in check
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{start}check/").status_code == 302
    assert Case.objects.get().area_codes == sorted(WESTVALE_AREAS)


def test_the_devices_location_is_recorded_as_found_by_the_device(journey):
    client, start = journey
    answer_before_where(client, start)
    assert client.post(f"{start}questions/where/", pin(found_by="device")).status_code == 302
    assert Draft.objects.get().answers["location"]["found_by"] == "device"


@pytest.mark.parametrize(
    ("lon", "lat"), [("", ""), ("west", "52.03"), ("nan", "52.03"), ("-1.76", "1e999")]
)
def test_a_pin_that_cannot_be_read_is_a_clear_error_not_a_500(journey, lon, lat):
    client, start = journey
    answer_before_where(client, start)
    response = client.post(f"{start}questions/where/", pin(lon=lon, lat=lat))
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert "Mark the place on the map again, or enter a postcode or describe where it is" in body
    assert "location" not in Draft.objects.get().answers


def test_a_pin_outside_the_councils_areas_is_refused_as_a_postcode_there_would_be(journey):
    client, start = journey
    answer_before_where(client, start)
    response = client.post(f"{start}questions/where/", pin(lon="-1.20", lat="52.05"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Choose a place inside the council&#x27;s area, or describe where it is" in body
    assert "location" not in Draft.objects.get().answers


def test_a_postcode_found_with_the_maps_search_is_stored_as_a_postcode(journey):
    client, start = journey
    answer_before_where(client, start)
    sent = pin(found_by="postcode", lon="0", lat="0", **{"location-postcode": "zx1 1aa"})
    assert client.post(f"{start}questions/where/", sent).status_code == 302
    answer = Draft.objects.get().answers["location"]
    assert answer["found_by"] == "postcode"
    assert answer["postcode"] == WESTVALE_SW
    assert answer["point"] != {"lon": 0, "lat": 0}  # the directory's point, not the browser's


def test_the_boundaries_are_simplified_geojson_of_the_sites_councils(client, council):
    other = OrganisationFactory(slug="elsewhere", name="Elsewhere Council")
    Area.objects.filter(code="E07900002").update(organisation=other)  # Eastvale, not this site's
    response = client.get("/places/boundaries.geojson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert response["Cache-Control"] == "private, max-age=300"  # names in the chosen language
    document = response.json()
    assert document["type"] == "FeatureCollection"
    names = [(f["properties"]["type"], f["properties"]["name"]) for f in document["features"]]
    assert names[0] == ("county", "Exampleshire")  # the largest first, wards drawn over it
    assert ("district", "Westvale") in names
    assert ("district", "Eastvale") not in names
    assert ("ward", "Westvale South West") in names
    ring = document["features"][0]["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 5


def test_the_boundaries_are_built_once_until_the_areas_change(client, council):
    first = client.get("/places/boundaries.geojson").content
    # Cached: no area is read again.
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/places/boundaries.geojson").content == first
    assert not any("places_area" in q["sql"] and "geometry" in q["sql"] for q in queries)
    Area.objects.filter(code="E05900001").update(name="Westvale Old Town")
    areas_version_bump()
    assert b"Westvale Old Town" in client.get("/places/boundaries.geojson").content


def test_the_maps_postcode_search_answers_with_the_place_by_post_only(client, council):
    found = client.post("/places/postcode/", {"postcode": "zx1 1aa"})
    assert found.status_code == 200
    assert found.json() == {
        "postcode": WESTVALE_SW,
        "lon": found.json()["lon"],
        "lat": found.json()["lat"],
        "place": FOUND,
    }
    for typed, message in [
        ("ZX1 9ZZ", "We cannot find the postcode ZX1 9ZZ."),
        ("Castle Street", "Enter a real postcode, like SW1A 2AA"),
        ("", "Enter a real postcode, like SW1A 2AA"),
    ]:
        refused = client.post("/places/postcode/", {"postcode": typed})
        assert refused.status_code == 400
        assert refused.json()["error"].startswith(message)
    assert client.get("/places/postcode/?postcode=ZX1+1AA").status_code == 405


def test_the_page_with_the_map_keeps_the_strict_csp_without_inline_script_or_style(
    client, fly_tipping
):
    client.get(PATHS["resident"])
    answer_before_where(client, PATHS["resident"])
    response = client.get(f"{PATHS['resident']}questions/where/")
    body = response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "<script>" not in body and "<style" not in body and " style=" not in body
    assert 'src="/static/leaflet/leaflet.js"' in body
    assert 'data-boundaries-url="/places/boundaries.geojson"' in body
    assert 'data-tiles-url=""' in body  # none configured: the boundaries alone
