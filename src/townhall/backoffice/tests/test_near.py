"""Cases near me: a field officer's open cases around a postcode or a position,
nearest first, only the council's own, for the same number of queries."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from townhall.cases.factories import FLY_TIPPING_ANSWERS, submitted_case
from townhall.cases.public import distance_metres
from townhall.cases.services import case_transition
from townhall.places.models import Postcode

# Carfax, Oxford, and places about 300 m, 800 m and 3 km from it.
HERE = (-1.2577, 51.7520)
ABOUT_300_M = (-1.2577, 51.7547)
ABOUT_800_M = (-1.2461, 51.7520)
ABOUT_3_KM = (-1.2577, 51.7790)


def _at(service, point):
    lon, lat = point
    answer = {"text": "OX1 1AA", "found_by": "postcode", "point": {"lon": lon, "lat": lat}}
    return submitted_case(service, dict(FLY_TIPPING_ANSWERS, location=answer))


def test_a_case_keeps_the_point_of_its_location(fly_tipping):
    case = _at(fly_tipping, ABOUT_300_M)
    assert (case.lon, case.lat) == ABOUT_300_M
    described = submitted_case(fly_tipping)  # a place described in words has no point
    assert described.lat is None


def test_distances_are_right_to_a_few_metres():
    assert 295 < distance_metres(*HERE, *ABOUT_300_M) < 305
    assert 795 < distance_metres(*HERE, *ABOUT_800_M) < 805


def test_open_cases_near_a_postcode_nearest_first(
    staff_client, staff_user, fly_tipping, other_fly_tipping
):
    Postcode.objects.create(postcode="OX1 1AA", lon=HERE[0], lat=HERE[1])
    far = _at(fly_tipping, ABOUT_800_M)
    near = _at(fly_tipping, ABOUT_300_M)
    too_far = _at(fly_tipping, ABOUT_3_KM)
    closed = case_transition(case=_at(fly_tipping, HERE), to_status="cleared", actor=staff_user)
    theirs = _at(other_fly_tipping, HERE)
    # As the form sends it: the position fields empty without JavaScript.
    response = staff_client.get(
        "/staff/near/", {"postcode": "ox11aa", "radius": "1000", "lat": "", "lon": ""}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "2 open cases within 1 km" in body
    assert body.index(near.reference) < body.index(far.reference)
    assert f"{round(distance_metres(*HERE, *ABOUT_300_M))} m" in body
    for hidden in (too_far, closed, theirs):
        assert hidden.reference not in body
    wider = staff_client.get("/staff/near/", {"lat": HERE[1], "lon": HERE[0], "radius": "5000"})
    assert too_far.reference in wider.content.decode()


def test_a_postcode_that_cannot_be_found_says_so(staff_client, fly_tipping):
    response = staff_client.get("/staff/near/", {"postcode": "ZZ9 9ZZ"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "We cannot find the postcode ZZ9 9ZZ" in body and "<title>Error:" in body
    response = staff_client.get("/staff/near/", {"postcode": "OX1 1AA", "radius": "7"})
    assert response.status_code == 400
    assert "Choose a distance from the list" in response.content.decode()
    assert staff_client.get("/staff/near/").status_code == 200  # the form alone


def test_the_page_costs_the_same_queries_however_many_cases(staff_client, fly_tipping):
    Postcode.objects.create(postcode="OX1 1AA", lon=HERE[0], lat=HERE[1])
    _at(fly_tipping, ABOUT_300_M)
    with CaptureQueriesContext(connection) as few:
        staff_client.get("/staff/near/", {"postcode": "OX1 1AA"})
    for point in (HERE, ABOUT_800_M, ABOUT_300_M, ABOUT_800_M):
        _at(fly_tipping, point)
    with CaptureQueriesContext(connection) as many:
        body = staff_client.get("/staff/near/", {"postcode": "OX1 1AA"}).content.decode()
    assert "5 open cases within 1 km" in body
    assert len(few) == len(many)
