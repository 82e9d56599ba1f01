"""Submitted cases reach the systems their service names: a team mailbox, a
webhook, an upstream Open311 server started here. A system that is down
delays a case, never loses it or makes it twice; staff see where it went and
can send it again."""

from __future__ import annotations

import time

import pytest
from django.core import mail
from django.urls import reverse

from townhall.cases.factories import FLY_TIPPING_ANSWERS, submitted_case
from townhall.catalogue.engine.validation import definition_problems
from townhall.connectors.tests.conftest import import_with_send_to
from townhall.notifications.models import Delivery
from townhall.notifications.services import MAX_ATTEMPTS
from townhall.testing.sign_in import sign_in
from townhall.webhooks.signing import signature_valid

pytestmark = pytest.mark.django_db


def open311_destination(server, **more):
    return {
        "connector": "open311",
        "endpoint": f"{server.url}/open311/v2",
        "service_code": "FLY",
        "api_key": "highways-open311",
        "description": "description",
        "location": "location",
        "attributes": {"waste": "waste_type", "amount": "size"},
        **more,
    }


def submit(service, capture, answers=None):
    with capture(execute=True):
        return submitted_case(service, answers)


def sent_rows(case):
    return Delivery.objects.filter(case=case, subscriber="connectors.send_to").order_by("pk")


def test_a_case_goes_to_open311_with_its_answers_mapped_and_its_id_kept(
    council, open311, django_capture_on_commit_callbacks
):
    service = import_with_send_to(council, [open311_destination(open311)])
    answers = {**FLY_TIPPING_ANSWERS, "description": "Two sofas"}
    case = submit(service, django_capture_on_commit_callbacks, answers)

    (form,) = open311.forms()
    assert form["service_code"] == "FLY"
    assert form["api_key"] == "secret-key"
    assert form["attribute[waste]"] == "furniture"
    assert form["attribute[amount]"] == "small_van"
    assert form["description"] == "Two sofas"
    assert form["address_string"] == FLY_TIPPING_ANSWERS["location"]
    assert form["email"] == "resident@example.com"
    (row,) = sent_rows(case)
    assert (row.status, row.provider_reference) == (Delivery.Status.SENT, "SR1000")
    # the key is never stored on the row
    assert "secret-key" not in str(row.payload)


def test_a_system_that_is_down_gets_the_case_once_when_it_is_back(
    council, open311, django_capture_on_commit_callbacks
):
    service = import_with_send_to(council, [open311_destination(open311)])
    open311.failures = [503, 500, 502]
    case = submit(service, django_capture_on_commit_callbacks)

    assert len(open311.seen) == 4 and len(open311.accepted) == 1
    (row,) = sent_rows(case)
    assert (row.status, row.attempts, row.provider_reference) == (
        Delivery.Status.SENT,
        4,
        "SR1000",
    )


def test_a_system_down_for_the_whole_schedule_keeps_the_case_for_staff_to_send_again(
    council, open311, staff_client, django_capture_on_commit_callbacks
):
    service = import_with_send_to(council, [open311_destination(open311)])
    open311.stop()
    case = submit(service, django_capture_on_commit_callbacks)
    (row,) = sent_rows(case)
    assert (row.status, row.attempts, row.last_error) == (
        Delivery.Status.FAILED,
        MAX_ATTEMPTS,
        "ConnectionError",
    )
    page = staff_client.get(reverse("backoffice:case", args=[case.reference])).content.decode()
    assert "requests.json" in page and "ConnectionError" in page and "Send again now" in page

    open311.start()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("backoffice:case-resend", args=[case.reference, row.pk])
        )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.provider_reference) == (Delivery.Status.SENT, "SR1000")
    page = staff_client.get(reverse("backoffice:case", args=[case.reference])).content.decode()
    assert "Their reference: SR1000" in page
    assert "Send again now" not in page

    # Sent: sending again is refused, so the system never gets it twice.
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("backoffice:case-resend", args=[case.reference, row.pk]))
    assert len(open311.accepted) == 1


def test_a_refusal_is_not_retried_and_shows_on_the_case(
    council, open311, django_capture_on_commit_callbacks
):
    service = import_with_send_to(
        council, [open311_destination(open311, api_key="highways-open311", service_code="X")]
    )
    open311.api_key = "another"
    case = submit(service, django_capture_on_commit_callbacks)
    (row,) = sent_rows(case)
    assert (row.status, row.attempts, row.last_error) == (
        Delivery.Status.FAILED,
        1,
        "Open311Refused",
    )


def test_a_case_goes_to_a_team_mailbox_and_a_signed_webhook(
    council, receiver, django_capture_on_commit_callbacks
):
    service = import_with_send_to(
        council,
        [
            {"connector": "mailbox", "address": "street-scene@example.gov.uk"},
            {"connector": "webhook", "url": f"{receiver.url}/crm", "secret": "crm"},
        ],
    )
    case = submit(service, django_capture_on_commit_callbacks)

    team_mail = [m for m in mail.outbox if m.to == ["street-scene@example.gov.uk"]]
    assert len(team_mail) == 1
    assert case.reference in team_mail[0].subject
    assert "Behind the shops on Castle Street" in team_mail[0].body
    (request,) = receiver.wait_for(1)
    assert request.json()["case"]["reference"] == case.reference
    assert signature_valid(
        secret="whsec_crm",
        timestamp=request.headers["Townhall-Webhook-Timestamp"],
        body=request.body,
        header=request.headers["Townhall-Webhook-Signature"],
        now=int(time.time()),
    )
    assert {row.status for row in sent_rows(case)} == {Delivery.Status.SENT}


def test_the_case_page_tells_the_teams_email_from_the_residents(
    council, staff_client, django_capture_on_commit_callbacks
):
    service = import_with_send_to(
        council, [{"connector": "mailbox", "address": "street-scene@example.gov.uk"}]
    )
    case = submit(service, django_capture_on_commit_callbacks)
    page = staff_client.get(reverse("backoffice:case", args=[case.reference])).content.decode()
    sent_to = page.split("Sent to", 1)[1]
    assert "street-scene@example.gov.uk" in sent_to
    residents = page.split("Messages to the resident", 1)[1].split("Sent to", 1)[0]
    assert "New case" not in residents


def test_a_caseworker_of_another_council_cannot_resend(
    council, other_council, open311, django_capture_on_commit_callbacks, client
):
    from townhall.tenancy.factories import MembershipFactory

    service = import_with_send_to(council, [open311_destination(open311)])
    open311.stop()
    case = submit(service, django_capture_on_commit_callbacks)
    row = sent_rows(case).get()
    sign_in(client, MembershipFactory(organisation=other_council, user__password="!").user)
    response = client.post(reverse("backoffice:case-resend", args=[case.reference, row.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("send_to", "valid"),
    [
        ([{"connector": "mailbox", "address": "team@example.gov.uk"}], True),
        ([{"connector": "open311", "endpoint": "https://x.example/v2", "service_code": "A"}], True),
        ([{"connector": "webhook", "url": "https://x.example/", "secret": "crm"}], True),
        ([{"connector": "open311", "endpoint": "https://x.example/v2"}], False),
        ([{"connector": "webhook", "url": "ftp://x.example/"}], False),
        ([{"connector": "fax", "number": "01234"}], False),
        (
            [{"connector": "open311", "endpoint": "https://x", "service_code": "A", "key": "x"}],
            False,
        ),
    ],
)
def test_the_definition_schema_checks_send_to(send_to, valid):
    from townhall.catalogue.standard import STANDARD_DIR, load_definition_file

    definition = dict(load_definition_file(STANDARD_DIR / "report-fly-tipping.yaml"))
    definition["send_to"] = send_to
    errors = definition_problems(definition)
    assert (not errors) is valid, errors
