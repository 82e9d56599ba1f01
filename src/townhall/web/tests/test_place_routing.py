"""One site for a county and its districts, without JavaScript: the place
decides the council (service first or place first), check answers names it
before anything is sent, and a place no council of the site handles gets a
plain answer and no case."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from townhall.cases.models import Case, Draft
from townhall.catalogue.services import service_import
from townhall.places.demo import demo_place_load
from townhall.places.lookup import cache_clear
from townhall.places.models import Area, RoutingRule
from townhall.tenancy.factories import OrganisationFactory
from townhall.tenancy.models import Site, Team
from townhall.web.tests.test_location_answers import answer_after_where, answer_before_where

START = "/services/report-fly-tipping/"
WESTVALE = "ZX1 1AA"
EASTVALE = "ZX2 1AE"
NORTHMOOR = "ZX3 1AA"


@pytest.fixture
def two_tier(council, fly_tipping) -> Iterator[tuple[object, object, object]]:
    """Example Council is the county; Westvale and Eastvale district councils
    share its site and offer fly-tipping too; rows give it to the districts."""
    cache_clear()
    site = Site.objects.get(host="testserver")
    west = OrganisationFactory.create(slug="westvale", name="Westvale District Council")
    east = OrganisationFactory.create(slug="eastvale", name="Eastvale District Council")
    for district in (west, east):
        site.organisations.add(district)
        service_import(organisation=district, definition=fly_tipping.published_version.definition)
    demo_place_load(organisation=council, districts={"Westvale": west, "Eastvale": east})
    street = Team.objects.create(organisation=east, slug="street-scene", name="Street scene")
    for code, district, team in (("E07900001", west, None), ("E07900002", east, street)):
        RoutingRule.objects.create(
            service_slug="report-fly-tipping",
            area=Area.objects.get(code=code),
            organisation=district,
            team=team,
        )
    yield council, west, east
    cache_clear()


def give_location(client, postcode: str) -> None:
    response = client.post(
        f"{START}questions/where/", {"location": postcode, "location-confirmed": postcode}
    )
    assert response.status_code == 302


def answer_all(client, postcode: str) -> None:
    answer_before_where(client, START)
    give_location(client, postcode)
    answer_after_where(client, START)


def test_service_first_asks_where_then_uses_that_councils_service(
    client, two_tier, django_capture_on_commit_callbacks
):
    _county, _west, east = two_tier
    asked = client.get(START)
    assert asked.status_code == 302
    assert asked["Location"].startswith(f"{START}where/")
    page = client.get(asked["Location"]).content.decode()
    assert "Where is it?" in page
    assert "Eastvale District Council, Example Council, Westvale District Council" in page
    chosen = client.post(asked["Location"], {"postcode": "zx2 1ae"})
    assert chosen["Location"] == START
    assert "Eastvale District Council" in client.get(START).content.decode()
    answer_all(client, EASTVALE)
    check = client.get(f"{START}check/").content.decode()
    assert "Eastvale District Council will deal with this." in check
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{START}check/").status_code == 302
    case = Case.objects.get()
    assert case.organisation == east
    assert case.team is not None and case.team.slug == "street-scene"  # the row's team
    assert case.area_codes == ["E05900101", "E07900002", "E10900001"]


def test_a_question_page_reached_directly_asks_where_and_comes_back(client, two_tier):
    page = f"{START}questions/what/"
    asked = client.get(page)
    assert asked["Location"].startswith(f"{START}where/")
    back = client.post(asked["Location"], {"postcode": WESTVALE})
    assert back["Location"] == page


def test_place_first_lists_each_service_once_for_the_council_of_that_place(client, two_tier):
    listed = client.get("/services/").content.decode()
    assert listed.count(f'href="{START}"') == 1
    assert "we will ask where" in listed
    response = client.post("/place/", {"postcode": WESTVALE})
    assert response["Location"] == "/services/"
    listed = client.get("/services/").content.decode()
    assert "Showing the services for ZX1 1AA." in listed
    assert listed.count(f'href="{START}"') == 1
    assert "(Westvale District Council)" in listed
    start = client.get(START)
    assert start.status_code == 200  # no second question: the place is known
    assert "Westvale District Council" in start.content.decode()


def test_a_place_no_council_of_the_site_handles_gets_a_plain_answer_and_nothing_starts(
    client, two_tier
):
    response = client.post(f"{START}where/", {"postcode": NORTHMOOR})
    body = response.content.decode()
    assert response.status_code == 200
    assert "This place is in Northmoor" in body
    assert "Contact the council for Northmoor instead." in body
    asked_again = client.get(START)["Location"]
    assert asked_again.startswith(f"{START}where/")  # still asked, and told again
    assert "Contact the council for Northmoor instead." in client.get(asked_again).content.decode()
    assert not Draft.objects.exists()
    assert not Case.objects.exists()


def test_a_bad_postcode_on_the_where_page_is_an_error_not_a_500(client, two_tier):
    response = client.post(f"{START}where/", {"postcode": "not a postcode"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in body and "Enter a real postcode" in body
    assert client.post("/place/", {"postcode": ""}).status_code == 400


def test_a_location_answer_in_another_councils_area_stops_the_send(client, two_tier):
    client.post(f"{START}where/", {"postcode": WESTVALE})
    answer_all(client, EASTVALE)  # the pin is in Eastvale
    check = client.get(f"{START}check/").content.decode()
    assert "looked after by Eastvale District Council, not Westvale District Council" in check
    assert "Accept and send" not in check
    assert client.post(f"{START}check/").status_code == 409
    assert not Case.objects.exists()


def test_a_single_council_service_refuses_a_place_outside_its_area(client, council, fly_tipping):
    """Northmoor is no council's on this installation: the location question
    refuses it at once, and nothing can be sent."""
    cache_clear()
    demo_place_load(organisation=council)
    answer_before_where(client, START)
    response = client.post(
        f"{START}questions/where/", {"location": NORTHMOOR, "location-confirmed": NORTHMOOR}
    )
    assert response.status_code == 200
    assert "Choose a place inside the council&#x27;s area" in response.content.decode()
    sent = client.post(f"{START}check/")  # back to the question, not sent
    assert sent["Location"] == f"{START}questions/where/"
    assert not Case.objects.exists()
    cache_clear()


def test_without_any_areas_a_council_is_not_refused_by_place(
    client, council, fly_tipping, django_capture_on_commit_callbacks
):
    """A council that has not said where it serves (no area, no row) is not
    held to boundaries: its residents' cases go through as before."""
    cache_clear()
    demo_place_load(organisation=OrganisationFactory.create())  # someone else's areas
    answer_all(client, WESTVALE)
    check = client.get(f"{START}check/").content.decode()
    assert "Example Council will deal with this." in check
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{START}check/").status_code == 302
    assert Case.objects.get().organisation == council
    cache_clear()


def test_the_service_list_for_a_place_reads_the_same_queries_however_many_services(
    client, two_tier, django_assert_max_num_queries
):
    _county, west, east = two_tier
    client.post("/place/", {"postcode": EASTVALE})
    client.get("/services/")  # the process's shape cache, as after any first request
    with django_assert_max_num_queries(50) as first:
        client.get("/services/")
    # Two more services both districts and the county offer.
    county_definition = Site.objects.get(host="testserver").organisations.get(slug="example")
    definition = county_definition.services.get(slug="report-fly-tipping").published_version
    for slug in ("report-graffiti", "report-a-dead-animal"):
        for council in (county_definition, west, east):
            service_import(organisation=council, definition=dict(definition.definition, slug=slug))
    with django_assert_max_num_queries(len(first.captured_queries)):
        listed = client.get("/services/").content.decode()
    assert listed.count('href="/services/report-graffiti/"') == 1
