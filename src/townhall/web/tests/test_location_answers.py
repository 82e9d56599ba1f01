"""Location answers without JavaScript, on the resident's and the staff paths:
a postcode looked up in the demo place and confirmed on the same page, the
reasons a postcode cannot be used, a description alone; the areas a case
records, routing by area and the staff case page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.core import mail
from django.utils import timezone

from townhall.cases.journey import case_create
from townhall.cases.models import Case, Draft
from townhall.cases.retention import case_redact
from townhall.catalogue.factories import definition_data, page_data, question_data, service_create
from townhall.places.demo import demo_place_load
from townhall.places.lookup import cache_clear
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
