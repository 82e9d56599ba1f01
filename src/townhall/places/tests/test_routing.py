"""Who handles a service at a point: rows of the routing table on the most
specific area, the area's council when there is no row, border points, and
the coverage check."""

from __future__ import annotations

import pytest

from townhall.places.demo import demo_place_load
from townhall.places.lookup import areas_at, cache_clear
from townhall.places.models import Area, RoutingRule
from townhall.places.routing import ServiceCover, responsible_at, responsible_for, routing_gaps
from townhall.tenancy.factories import OrganisationFactory
from townhall.tenancy.models import Team

pytestmark = pytest.mark.django_db

WESTVALE = (-1.76, 52.03)  # Westvale South West ward
EASTVALE = (-1.56, 52.03)  # Eastvale South West ward
BORDER = (-1.60, 52.05)  # exactly on the line between Westvale and Eastvale
NORTHMOOR = (-1.60, 52.25)  # the neighbour, no council's


@pytest.fixture
def place():
    cache_clear()
    county, west, east = (
        OrganisationFactory.create(slug="county", name="Exampleshire County Council"),
        OrganisationFactory.create(slug="westvale", name="Westvale District Council"),
        OrganisationFactory.create(slug="eastvale", name="Eastvale District Council"),
    )
    demo_place_load(organisation=county, districts={"Westvale": west, "Eastvale": east})
    yield county, west, east
    cache_clear()


def area(code: str) -> Area:
    return Area.objects.get(code=code)


def test_with_no_row_the_council_of_the_most_specific_area_that_offers_it_answers(place):
    county, west, east = place
    everyone = {county.pk, west.pk, east.pk}
    found = responsible_at(
        lon=WESTVALE[0], lat=WESTVALE[1], slug="report-fly-tipping", lgsl=None, offering=everyone
    )
    assert found is not None
    assert (found.organisation, found.by_table) == (west, False)  # the ward's council
    pothole = responsible_at(
        lon=EASTVALE[0], lat=EASTVALE[1], slug="report-a-pothole", lgsl=None, offering={county.pk}
    )
    assert pothole is not None and pothole.organisation == county


def test_a_row_on_a_smaller_area_wins_and_a_slug_row_beats_an_lgsl_row(place):
    county, west, east = place
    waste = Team.objects.create(organisation=east, slug="waste", name="Waste")
    RoutingRule.objects.create(
        service_slug="report-fly-tipping", area=area("E10900001"), organisation=county
    )
    RoutingRule.objects.create(
        service_slug="report-fly-tipping", area=area("E05900101"), organisation=east, team=waste
    )
    offering = {county.pk, west.pk, east.pk}
    areas = areas_at(*EASTVALE)  # in ward E05900101
    found = responsible_for(slug="report-fly-tipping", lgsl=None, areas=areas, offering=offering)
    assert found is not None and (found.organisation, found.team, found.by_table) == (
        east,
        waste,
        True,
    )
    # elsewhere in the county, the county's row answers, over the district's council
    west_found = responsible_at(
        lon=WESTVALE[0], lat=WESTVALE[1], slug="report-fly-tipping", lgsl=None, offering=offering
    )
    assert west_found is not None and west_found.organisation == county
    RoutingRule.objects.create(lgsl=524, area=area("E05900101"), organisation=west)
    again = responsible_for(slug="report-fly-tipping", lgsl=524, areas=areas, offering=offering)
    assert again is not None and again.organisation == east
    by_code = responsible_for(slug="another-slug", lgsl=524, areas=areas, offering=offering)
    assert by_code is not None and by_code.organisation == west


def test_a_point_on_the_border_of_two_districts_has_one_owner_every_time(place):
    _county, west, east = place
    answers = {
        responsible_at(
            lon=BORDER[0],
            lat=BORDER[1],
            slug="report-fly-tipping",
            lgsl=None,
            offering={west.pk, east.pk},
        ).organisation
        for _ in range(3)
    }
    assert answers == {west}  # the lower code, E07900001
    cache_clear()
    again = responsible_at(
        lon=BORDER[0],
        lat=BORDER[1],
        slug="report-fly-tipping",
        lgsl=None,
        offering={west.pk, east.pk},
    )
    assert again is not None and again.organisation == west


def test_outside_every_council_area_nobody_answers(place):
    county, west, east = place
    found = responsible_at(
        lon=NORTHMOOR[0],
        lat=NORTHMOOR[1],
        slug="report-fly-tipping",
        lgsl=None,
        offering={county.pk, west.pk, east.pk},
    )
    assert found is None
    nowhere = responsible_at(
        lon=0.5, lat=51.0, slug="report-fly-tipping", lgsl=None, offering={county.pk}
    )
    assert nowhere is None


def test_the_check_names_each_service_and_area_nobody_covers(place):
    county, west, _east = place
    districts = list(Area.objects.filter(code__in=["E07900001", "E07900002"]))
    council_areas = [*districts, area("E10900001")]
    bins = ServiceCover(
        slug="report-a-missed-bin-collection", name="Bins", lgsl=None, offering=frozenset({west.pk})
    )
    gaps = routing_gaps(services=[bins], areas=council_areas)
    assert {(g.slug, g.area.code) for g in gaps} == {
        ("report-a-missed-bin-collection", "E07900002"),  # Eastvale: nobody
        ("report-a-missed-bin-collection", "E10900001"),  # so part of the county too
    }
    RoutingRule.objects.create(
        service_slug="report-a-missed-bin-collection", area=area("E07900002"), organisation=west
    )
    assert routing_gaps(services=[bins], areas=council_areas) == []
    pothole = ServiceCover(
        slug="report-a-pothole", name="Potholes", lgsl=None, offering=frozenset({county.pk})
    )
    assert routing_gaps(services=[pothole], areas=council_areas) == []
