"""Staff handle cases: the queue, a case, a status change with an update."""

from __future__ import annotations

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from townhall.cases.factories import FLY_TIPPING_ANSWERS, submitted_case
from townhall.cases.models import CaseEvent, Channel
from townhall.testing.sign_in import authenticator_for, current_code


def test_staff_sign_in_and_land_on_their_queue(client, staff_user):
    device = authenticator_for(staff_user)
    response = client.post(
        "/staff/login/",
        {"username": staff_user.email, "password": "correct horse battery staple"},
    )
    assert response["Location"] == "/staff/login/code/?next=%2Fstaff%2F"
    response = client.post(response["Location"], {"code": current_code(device)})
    assert response["Location"] == "/staff/"
    assert "Open cases" in client.get("/staff/").content.decode()


def test_a_wrong_password_is_explained(client, staff_user):
    response = client.post("/staff/login/", {"username": staff_user.email, "password": "x"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Please enter a correct" in body
    assert "<title>Error:" in body
    assert 'href="#id_username"' in body


def test_the_queue_lists_open_cases_oldest_first(staff_client, fly_tipping):
    first = submitted_case(fly_tipping)
    second = submitted_case(fly_tipping, dict(FLY_TIPPING_ANSWERS, waste_type="tyres"))
    body = staff_client.get("/staff/").content.decode()
    assert body.index(first.reference) < body.index(second.reference)
    assert "Furniture or white goods" in body and "Tyres" in body
    assert "Online" in body  # the channel


def test_the_queue_query_count_does_not_grow_with_cases(staff_client, fly_tipping):
    submitted_case(fly_tipping)
    with CaptureQueriesContext(connection) as few:
        staff_client.get("/staff/")
    for _ in range(5):
        submitted_case(fly_tipping)
    with CaptureQueriesContext(connection) as many:
        staff_client.get("/staff/")
    # session, the session's second factor, user, membership; the filters'
    # services, teams, staff, own teams, areas, saved filters; count, cases,
    # their service versions; site
    assert len(few) == len(many) == 14


def test_a_case_shows_answers_timeline_and_next_statuses(staff_client, fly_tipping):
    case = submitted_case(fly_tipping)
    body = staff_client.get(f"/staff/cases/{case.reference}/").content.decode()
    assert "Behind the shops on Castle Street" in body
    assert "Submitted (online)" in body
    assert "Being inspected" in body and "Cleared" in body


def test_changing_status_records_who_and_emails_the_resident(
    staff_client, staff_user, fly_tipping, django_capture_on_commit_callbacks
):
    case = submitted_case(fly_tipping)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            f"/staff/cases/{case.reference}/status/",
            {"status": "cleared", "public_message": "Our crew cleared it this morning."},
        )
    assert response["Location"] == f"/staff/cases/{case.reference}/"
    case.refresh_from_db()
    assert case.status == "cleared" and not case.is_open
    event = case.events.get(kind=CaseEvent.Kind.STATUS_CHANGED)
    assert (event.actor, event.from_status, event.to_status) == (staff_user, "received", "cleared")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["resident@example.com"]
    assert "has been cleared" in mail.outbox[0].subject
    assert "Our crew cleared it this morning." in mail.outbox[0].body
    page = staff_client.get(f"/staff/cases/{case.reference}/").content.decode()
    assert "Received → Cleared" in page and staff_user.email in page
    assert case.reference not in staff_client.get("/staff/").content.decode()  # closed


def test_a_status_the_workflow_does_not_allow_is_refused(staff_client, fly_tipping):
    case = submitted_case(fly_tipping)
    response = staff_client.post(f"/staff/cases/{case.reference}/status/", {"status": "nonsense"})
    assert response.status_code == 400
    assert "Select one of the statuses this case can move to" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "received"
    assert not case.events.filter(kind=CaseEvent.Kind.STATUS_CHANGED).exists()


def test_internal_notes_are_on_the_timeline(staff_client, fly_tipping):
    case = submitted_case(fly_tipping)
    staff_client.post(f"/staff/cases/{case.reference}/notes/", {"note": "Called the resident."})
    assert (
        "Called the resident."
        in staff_client.get(f"/staff/cases/{case.reference}/").content.decode()
    )
    response = staff_client.post(f"/staff/cases/{case.reference}/notes/", {"note": ""})
    assert response.status_code == 400 and "Enter the note" in response.content.decode()


def test_cases_record_their_channel(fly_tipping):
    case = submitted_case(fly_tipping, channel=Channel.PHONE)
    assert case.channel == "phone"


def test_an_old_case_keeps_its_own_version_after_a_change_is_published(staff_client, fly_tipping):
    from townhall.catalogue.services import service_import

    old_case = submitted_case(fly_tipping)
    changed = dict(fly_tipping.published_version.definition)
    pages = [dict(p) for p in changed["pages"]]
    where = dict(pages[2]["questions"][0], label="Exactly where is the rubbish?")
    pages[2] = dict(pages[2], questions=[where])
    changed["pages"] = pages
    service_import(organisation=fly_tipping.organisation, definition=changed)

    body = staff_client.get(f"/staff/cases/{old_case.reference}/").content.decode()
    assert "Where is it?" in body
    assert "Exactly where is the rubbish?" not in body
    new_case = submitted_case(type(fly_tipping).objects.get(pk=fly_tipping.pk))
    assert (
        "Exactly where is the rubbish?"
        in staff_client.get(f"/staff/cases/{new_case.reference}/").content.decode()
    )
    assert (old_case.service_version.number, new_case.service_version.number) == (1, 2)


def test_staff_find_a_case_by_reference_and_see_closed_cases(
    staff_client, staff_user, fly_tipping, other_fly_tipping
):
    from townhall.cases.services import case_transition

    open_case = submitted_case(fly_tipping)
    closed_case = case_transition(
        case=submitted_case(fly_tipping), to_status="cleared", actor=staff_user
    )
    theirs = submitted_case(other_fly_tipping)

    response = staff_client.get("/staff/", {"reference": f" {open_case.reference.lower()} "})
    assert response["Location"] == f"/staff/cases/{open_case.reference}/"
    missing = staff_client.get("/staff/", {"reference": theirs.reference}).content.decode()
    assert "No case of your council has the reference" in missing
    assert "<title>Error:" in missing and f"/staff/cases/{theirs.reference}/" not in missing

    open_page = staff_client.get("/staff/").content.decode()
    assert open_case.reference in open_page and closed_case.reference not in open_page
    closed_page = staff_client.get("/staff/", {"show": "closed"}).content.decode()
    assert closed_case.reference in closed_page and open_case.reference not in closed_page
    assert "Closed cases" in closed_page


def test_the_case_page_shows_each_email_to_the_resident_and_how_it_went(
    staff_client, fly_tipping, django_capture_on_commit_callbacks
):
    from townhall.notifications.models import Delivery

    with django_capture_on_commit_callbacks(execute=True):
        case = submitted_case(fly_tipping)
    url = f"/staff/cases/{case.reference}/"
    subject = f"Fly-tipping report received: {case.reference}"
    assert f"{subject}: <strong>sent</strong>" in staff_client.get(url).content.decode()

    Delivery.objects.filter(case=case).update(status=Delivery.Status.FAILED, attempts=20)
    page = staff_client.get(url).content.decode()
    assert f"{subject}: <strong>failed (gave up)</strong> after 20 attempts" in page
    assert "could not be written yet" not in page

    # A change whose messages a subscriber has not managed to write yet is shown too.
    case.events.update(dispatched_at=None, dispatch_error="cases.resident_email: KeyError")
    page = staff_client.get(url).content.decode()
    assert "A message about a change to this case could not be written yet." in page
