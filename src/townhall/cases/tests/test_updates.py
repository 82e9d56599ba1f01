"""How residents hear about their case: email, text message or letter, as
they (or staff taking their call) chose; a link in every message stops
updates; nothing personal goes into a link or a notification's reference."""

from __future__ import annotations

import pytest
from django.core import mail

from townhall.cases.factories import submitted_case
from townhall.cases.models import CaseEvent, UpdatesBy
from townhall.cases.notify import message_resend
from townhall.cases.selectors import case_for_tracking
from townhall.cases.services import case_transition
from townhall.cases.updates import (
    UpdatesRefused,
    case_for_stop_token,
    case_updates_choose,
    case_updates_stop,
    updates_stop_token,
    updates_stop_url,
)
from townhall.notifications.models import Delivery

pytestmark = pytest.mark.django_db

ANSWERS = {"problem": "other", "details": "A broken bench"}


def send(capture, func, **kwargs):
    with capture(execute=True):
        return func(**kwargs)


def test_a_resident_who_chooses_texts_gets_updates_by_text(
    street_service, notify_council, fake_notify, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = submitted_case(street_service, {**ANSWERS, "email": "ada@example.com"})
    (acknowledgement,) = fake_notify.accepted
    assert acknowledgement.kind == "email"  # through Notify, the council's choice
    send(
        django_capture_on_commit_callbacks,
        case_updates_choose,
        case=case,
        updates_by=UpdatesBy.SMS,
        actor=None,
        phone="07700 900 123",
    )
    send(
        django_capture_on_commit_callbacks,
        case_transition,
        case=case,
        to_status="in_progress",
        actor=staff_user,
        public_message="On our list",
    )
    confirmed, update = fake_notify.accepted[1:]
    assert (confirmed.kind, update.kind) == ("sms", "sms")
    assert confirmed.payload["phone_number"] == "07700900123"
    assert "will text you updates" in confirmed.payload["personalisation"]["body"]
    body = update.payload["personalisation"]["body"]
    assert case.reference in body and "On our list" in body
    assert "/updates/stop/" in body
    assert mail.outbox == []
    case.refresh_from_db()
    assert case.updates_by == UpdatesBy.SMS
    assert case.events.filter(kind=CaseEvent.Kind.UPDATES_CHOSEN).count() == 1
    # No notification's reference holds anything about the person.
    for accepted in fake_notify.accepted:
        assert "07700" not in accepted.payload["reference"]
        assert "ada@" not in accepted.payload["reference"]


def test_a_caller_without_email_gets_a_letter(
    street_service, notify_council, fake_notify, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = submitted_case(street_service, {**ANSWERS, "email": ""}, channel="phone")
    assert fake_notify.accepted == []  # nobody to tell yet
    send(
        django_capture_on_commit_callbacks,
        case_updates_choose,
        case=case,
        updates_by=UpdatesBy.LETTER,
        actor=staff_user,
        address="10 Castle Street\nOxford",
        postcode="ox11aa",
    )
    (letter,) = fake_notify.accepted
    assert letter.kind == "letter"
    lines = letter.payload["personalisation"]
    assert (lines["address_line_1"], lines["address_line_3"]) == ("10 Castle Street", "OX1 1AA")
    assert case.reference in lines["body"]
    assert case_for_tracking(reference=case.reference, postcode="OX1 1AA") == case


def test_tracking_works_by_phone_number_or_postcode(street_service, council):
    case = submitted_case(street_service, {**ANSWERS, "email": ""})
    case.contact_phone, case.contact_postcode = "07700900123", "OX1 1AA"
    case.save()
    assert case_for_tracking(reference=case.reference, phone="07700 900 123") == case
    assert case_for_tracking(reference=case.reference, postcode="ox1 1aa") == case
    assert case_for_tracking(reference=case.reference, phone="07700 900 124") is None
    assert case_for_tracking(reference=case.reference, postcode="OX1 1AB") is None
    assert case_for_tracking(reference=case.reference, email="ada@example.com") is None
    assert case_for_tracking(reference=case.reference) is None
    # Every detail given must match.
    assert case_for_tracking(reference=case.reference, phone="07700900123", postcode="X") is None


@pytest.mark.parametrize(
    ("choice", "details", "error"),
    [
        (UpdatesBy.SMS, {}, "Enter a mobile phone number"),
        (UpdatesBy.SMS, {"phone": "01632 960 001"}, "UK mobile"),
        (UpdatesBy.LETTER, {"address": "10 Castle Street"}, "postcode"),
        (UpdatesBy.LETTER, {"postcode": "OX1 1AA"}, "address"),
        (UpdatesBy.EMAIL, {}, "Enter an email address"),
        ("pigeon", {}, "Choose how"),
    ],
)
def test_a_choice_without_what_it_needs_is_refused(
    street_service, notify_council, choice, details, error
):
    case = submitted_case(street_service, {**ANSWERS, "email": ""})
    with pytest.raises(UpdatesRefused, match=error):
        case_updates_choose(case=case, updates_by=choice, actor=None, **details)
    case.refresh_from_db()
    assert case.updates_by == ""
    assert not case.events.filter(kind=CaseEvent.Kind.UPDATES_CHOSEN).exists()


def test_texts_cannot_be_chosen_where_the_council_cannot_send_them(street_service, council):
    case = submitted_case(street_service, {**ANSWERS, "email": ""})
    with pytest.raises(UpdatesRefused, match="cannot send"):
        case_updates_choose(case=case, updates_by=UpdatesBy.SMS, actor=None, phone="07700900123")


def test_the_stop_link_stops_every_update(
    street_service, council, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = submitted_case(street_service, {**ANSWERS, "email": "ada@example.com"})
    (acknowledgement,) = mail.outbox
    url = updates_stop_url(case)
    assert url in acknowledgement.body
    assert "ada" not in url and "example.com" not in url.split("/updates/")[1]
    assert case_for_stop_token(updates_stop_token(case)) == case
    assert case_updates_stop(case=case) is True
    assert case_updates_stop(case=case) is False  # once
    send(
        django_capture_on_commit_callbacks,
        case_transition,
        case=case,
        to_status="in_progress",
        actor=staff_user,
    )
    assert len(mail.outbox) == 1


def test_an_altered_stop_link_names_no_case(street_service):
    case = submitted_case(street_service, {**ANSWERS, "email": ""})
    token = updates_stop_token(case)
    other = f"{case.pk + 1}:{token.partition(':')[2]}"
    assert case_for_stop_token(other) is None
    assert case_for_stop_token("nonsense") is None


def test_a_message_that_did_not_arrive_is_sent_again_another_way(
    street_service, notify_council, fake_notify, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = submitted_case(street_service, {**ANSWERS, "email": ""}, channel="phone")
    send(
        django_capture_on_commit_callbacks,
        case_updates_choose,
        case=case,
        updates_by=UpdatesBy.SMS,
        actor=staff_user,
        phone="07700900123",
    )
    failed = case.deliveries.get()
    Delivery.objects.filter(pk=failed.pk).update(receipt="permanent-failure", permanent=True)
    send(
        django_capture_on_commit_callbacks,
        message_resend,
        delivery=failed,
        updates_by=UpdatesBy.LETTER,
        actor=staff_user,
        address="10 Castle Street\nOxford",
        postcode="OX1 1AA",
    )
    _sms, letter = fake_notify.accepted
    assert letter.kind == "letter"
    # The same message (the confirmation of how they hear), now by letter, and only it.
    assert "will send you updates" in letter.payload["personalisation"]["body"]
    assert "by letter" in letter.payload["personalisation"]["body"]
    assert case.deliveries.count() == 2
    case.refresh_from_db()
    assert case.updates_by == UpdatesBy.LETTER
