"""Advisers log a contact that needs no case in a few keystrokes, and staff
see the council's recent contacts."""

from __future__ import annotations

import html

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from townhall.backoffice.contact_views import PAGE_SIZE
from townhall.backoffice.tests.test_assisted import START, _answer
from townhall.cases import contacts
from townhall.cases.factories import submitted_case
from townhall.cases.models import CaseEvent, Channel, Contact
from townhall.tenancy.factories import MembershipFactory
from townhall.testing.sign_in import sign_in

NEW = "/staff/contacts/new/"


@pytest.fixture
def adviser(council):
    return MembershipFactory(
        organisation=council,
        role="adviser",
        user__email="adviser@example.gov.uk",
        user__password="!",
    ).user


@pytest.fixture
def adviser_client(client, adviser):
    sign_in(client, adviser)
    return client


def _body(response) -> str:
    return html.unescape(response.content.decode())


def test_an_adviser_logs_a_contact_with_only_channel_reason_and_outcome(
    adviser_client, adviser, council
):
    form = _body(adviser_client.get(NEW))
    assert "Log a contact" in form and 'name="csrfmiddlewaretoken"' in form
    response = adviser_client.post(
        NEW, {"channel": "phone", "reason": "general_enquiry", "outcome": "resolved"}
    )
    assert response["Location"] == "/staff/contacts/"
    contact = Contact.objects.get()
    assert (contact.organisation, contact.recorded_by, contact.channel) == (
        council,
        adviser,
        Channel.PHONE,
    )
    assert (contact.reason, contact.outcome, contact.case, contact.service) == (
        "general_enquiry",
        "resolved",
        None,
        None,
    )
    assert contact.avoidable is None and contact.duration_minutes is None
    listed = _body(adviser_client.get("/staff/contacts/"))
    assert "Contact logged." in listed and "General enquiry" in listed
    assert "adviser@example.gov.uk" in listed


def test_everything_the_form_takes_is_kept(adviser_client, fly_tipping):
    adviser_client.post(
        NEW,
        {
            "channel": "face_to_face",
            "reason": "signposted",
            "outcome": "referred",
            "service": fly_tipping.slug,
            "avoidable": "yes",
            "duration_minutes": "7",
            "note": "Sent to the county council",
        },
    )
    contact = Contact.objects.get()
    assert (contact.service, contact.avoidable, contact.duration_minutes, contact.note) == (
        fly_tipping,
        True,
        7,
        "Sent to the county council",
    )


def test_a_contact_about_a_case_is_on_its_timeline(adviser_client, fly_tipping):
    case = submitted_case(fly_tipping)
    response = adviser_client.post(
        NEW,
        {
            "channel": "phone",
            "reason": "progress_chasing",
            "outcome": "case_updated",
            "reference": f" {case.reference.lower()} ",
            "avoidable": "yes",
            "note": "Wanted to know when",
        },
    )
    assert response.status_code == 302
    assert Contact.objects.get(case=case, recorded_by__isnull=False).reason == "progress_chasing"
    assert case.events.filter(kind=CaseEvent.Kind.CONTACT_LOGGED).count() == 1
    page = _body(adviser_client.get(f"/staff/cases/{case.reference}/"))
    assert "Chasing progress (Phone)" in page and "Wanted to know when" in page
    # An adviser sees the case but cannot change it.
    assert "Update status" not in page and "Add note" not in page


def test_mistakes_are_explained_with_an_error_summary_and_nothing_is_kept(
    adviser_client, other_fly_tipping
):
    other_case = submitted_case(other_fly_tipping)
    response = adviser_client.post(
        NEW,
        {
            "reference": other_case.reference,
            "duration_minutes": "ten",
            "avoidable": "perhaps",
            "service": other_fly_tipping.slug,  # Example Council has no such service
            "note": "x" * 501,
        },
    )
    body = _body(response)
    assert response.status_code == 400
    assert "<title>Error:" in body and "There is a problem" in body
    for message in [
        "Select how the resident got in touch",
        "Select why the resident got in touch",
        "Select the outcome",
        "No case of this council has that reference",
        "Enter the time in whole minutes, like 5",
        "Select yes or no",
        "Select one of the council's services",
        "The note must be 500 characters or fewer",
    ]:
        assert message in body, message
    assert 'href="#id_channel"' in body
    assert not Contact.objects.filter(recorded_by__isnull=False).exists()


def test_logging_needs_the_csrf_token(adviser):
    client = Client(enforce_csrf_checks=True)
    sign_in(client, adviser)
    response = client.post(
        NEW, {"channel": "phone", "reason": "general_enquiry", "outcome": "resolved"}
    )
    assert response.status_code == 403
    assert not Contact.objects.exists()


def _log(council, user, n: int) -> None:
    for _ in range(n):
        contacts.contact_log(
            organisation=council,
            channel=Channel.EMAIL,
            reason=Contact.Reason.GENERAL_ENQUIRY,
            outcome=Contact.Outcome.RESOLVED,
            actor=user,
        )


def test_the_list_query_count_does_not_grow_with_contacts(
    adviser_client, adviser, council, fly_tipping
):
    _log(council, adviser, 1)
    with CaptureQueriesContext(connection) as few:
        adviser_client.get("/staff/contacts/")
    _log(council, adviser, 5)
    for _ in range(3):
        submitted_case(fly_tipping)
    with CaptureQueriesContext(connection) as many:
        response = adviser_client.get("/staff/contacts/")
    assert _body(response).count("govuk-table__row") == 1 + 9
    # session, user, membership (with role), contacts (with service, case, staff),
    # the audit entry, site
    assert len(few) == len(many) == 7  # with the session's second factor


def test_older_contacts_are_a_page_away(adviser_client, adviser, council):
    _log(council, adviser, PAGE_SIZE + 3)
    first = _body(adviser_client.get("/staff/contacts/"))
    assert first.count("govuk-table__row") == 1 + PAGE_SIZE
    newest = list(Contact.objects.order_by("-created_at", "-pk"))
    cursor = newest[PAGE_SIZE - 1].pk
    assert f'href="?before={cursor}"' in first
    with CaptureQueriesContext(connection) as queries:
        second = _body(adviser_client.get(f"/staff/contacts/?before={cursor}"))
    assert second.count("govuk-table__row") == 1 + 3
    assert "?before=" not in second
    assert len(queries) == 8  # the first page's, and the cursor's date
    # A cursor that is nonsense or not one of ours starts from the top.
    for bad in ["x", "-1", "99999999999999999999999", "0", "²", "1.5"]:
        response = adviser_client.get(f"/staff/contacts/?before={bad}")
        assert response.status_code == 200
        assert _body(response).count("govuk-table__row") == 1 + PAGE_SIZE


def test_the_list_shows_only_this_councils_contacts(adviser_client, other_council, adviser):
    _log(other_council, adviser, 2)
    body = _body(adviser_client.get("/staff/contacts/"))
    assert "No contacts recorded yet." in body


def test_a_contact_recorded_through_a_service_names_the_adviser_and_channel(
    adviser_client, adviser, fly_tipping
):
    adviser_client.post(START, {"channel": "letter"})
    first = _body(adviser_client.get(f"{START}questions/what/"))
    assert "Channel: Letter." in first and "Ask the resident each question" in first
    _answer(adviser_client)
    check = _body(adviser_client.get(f"{START}check/"))
    assert "Check the resident’s answers before recording them" in check  # noqa: RUF001 (the typographic apostrophe)
    assert "Check your answers" not in check and "Channel: Letter." in check
    adviser_client.post(f"{START}check/")
    contact = Contact.objects.get()
    assert (contact.channel, contact.recorded_by, contact.reason, contact.outcome) == (
        Channel.LETTER,
        adviser,
        Contact.Reason.NEW_REQUEST,
        Contact.Outcome.CASE_OPENED,
    )
    assert contact.case is not None and contact.case.created_by == adviser


def test_residents_pages_do_not_mention_recording(client, fly_tipping):
    body = _body(client.get("/services/report-fly-tipping/questions/what/"))
    assert "Recording a contact" not in body
