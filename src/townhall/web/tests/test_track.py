from __future__ import annotations

from townhall.cases.factories import submitted_case
from townhall.cases.services import case_transition


def test_track_shows_status_and_public_updates_but_not_notes(client, fly_tipping, staff_user):
    case = submitted_case(fly_tipping)
    case_transition(
        case=case,
        to_status="inspecting",
        actor=staff_user,
        public_message="An officer will visit tomorrow.",
        internal_note="Likely the same van as last week.",
    )
    response = client.post(
        "/track/", {"reference": case.reference.lower(), "email": "RESIDENT@example.com"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert case.reference in body
    assert "Being looked into" in body
    assert "An officer will visit tomorrow." in body
    assert "same van" not in body


def test_track_needs_the_matching_email(client, fly_tipping):
    case = submitted_case(fly_tipping)
    response = client.post("/track/", {"reference": case.reference, "email": "someone@else.com"})
    body = response.content.decode()
    assert "could not find a request" in body
    assert f"Request {case.reference}" not in body
    assert "Received" not in body


def test_track_validates_its_fields(client, fly_tipping):
    response = client.post("/track/", {"reference": "12", "email": ""})
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Enter your reference in the format" in body
    assert "Enter the email address, phone number or postcode you gave us" in body
    assert "<title>Error:" in body


def test_track_is_a_form_that_puts_nothing_in_the_url(client, fly_tipping):
    body = client.get("/track/").content.decode()
    assert 'method="post"' in body


def test_an_empty_track_form_explains_what_is_missing(client, fly_tipping):
    body = client.post("/track/", {}).content.decode()
    assert "Enter your reference" in body
    assert "Enter the email address, phone number or postcode you gave us" in body


def test_tracking_costs_the_same_queries_however_long_the_timeline(
    client, fly_tipping, staff_user, django_assert_num_queries
):
    case = submitted_case(fly_tipping)
    form = {"reference": case.reference, "email": "resident@example.com"}
    client.post("/track/", form)  # the first look-up creates the rate-limit row
    # The same number however long the timeline (and one for the tracking count).
    with django_assert_num_queries(5) as short:
        assert client.post("/track/", form).status_code == 200
    for status in ["inspecting", "scheduled"]:
        case_transition(case=case, to_status=status, actor=staff_user, public_message="Done.")
    with django_assert_num_queries(5) as long:
        body = client.post("/track/", form).content.decode()
    assert body.count("Done.") == 2
    assert len(short.captured_queries) == len(long.captured_queries)
    # Closed as fixed, the page also reads "is it really fixed?" (and writes
    # it, the first time, if the closing message has not yet).
    case_transition(case=case, to_status="cleared", actor=staff_user, public_message="Done.")
    with django_assert_num_queries(7):
        client.post("/track/", form)
    with django_assert_num_queries(6):
        body = client.post("/track/", form).content.decode()
    assert "Tell us if it is not really fixed" in body
