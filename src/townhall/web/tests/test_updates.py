"""Residents choose how to hear about their request on the confirmation
page, stop updates from the link in any message, and track by phone number
or postcode when they gave no email."""

from __future__ import annotations

import pytest
from django.core import mail

from townhall.cases.factories import submitted_case
from townhall.cases.models import Case, CaseEvent
from townhall.cases.updates import updates_stop_token
from townhall.web.tests.test_journey import START, answer_all

pytestmark = pytest.mark.django_db


def submit(client, capture) -> Case:
    answer_all(client)
    with capture(execute=True):
        client.post(f"{START}check/")
    return Case.objects.get()


def test_a_resident_chooses_texts_on_the_confirmation_page(
    client, fly_tipping, notify_council, fake_notify, django_capture_on_commit_callbacks
):
    case = submit(client, django_capture_on_commit_callbacks)
    done = client.get(f"{START}done/").content.decode()
    assert "How would you like to get updates?" in done
    assert 'value="sms"' in done and 'value="none"' in done
    refused = client.post(f"{START}updates/", {"updates_by": "sms"})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "<title>Error:" in body and "Enter a mobile phone number" in body
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(f"{START}updates/", {"updates_by": "sms", "phone": "07700 900 123"})
    assert saved["Location"] == f"{START}done/"
    assert "You will get updates by text message" in client.get(f"{START}done/").content.decode()
    email, text = fake_notify.accepted
    assert (email.kind, text.kind) == ("email", "sms")
    case.refresh_from_db()
    assert case.contact_phone == "07700900123"


def test_choosing_the_email_already_given_sends_nothing_more(
    client, fly_tipping, django_capture_on_commit_callbacks
):
    submit(client, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{START}updates/", {"updates_by": "email"})
    assert len(mail.outbox) == 1


def test_no_updates_can_be_chosen(client, fly_tipping, django_capture_on_commit_callbacks):
    case = submit(client, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{START}updates/", {"updates_by": "none"})
    assert "You will not get updates" in client.get(f"{START}done/").content.decode()
    case.refresh_from_db()
    assert case.updates_by == "none"


def test_the_updates_form_needs_the_submission_in_this_browser(client, fly_tipping):
    response = client.post(f"{START}updates/", {"updates_by": "none"})
    assert response["Location"] == START


def test_the_stop_link_asks_once_then_stops(client, fly_tipping):
    case = submitted_case(fly_tipping)
    url = f"/updates/stop/{updates_stop_token(case)}/"
    page = client.get(url).content.decode()
    assert "Stop updates" in page and case.reference in page
    case.refresh_from_db()
    assert case.updates_stopped_at is None  # a link scanner's GET stops nothing
    stopped = client.post(url)  # no CSRF token: as a mail program's one-click post
    assert stopped.status_code == 200
    assert "You will not get any more updates" in stopped.content.decode()
    case.refresh_from_db()
    assert case.updates_stopped_at is not None
    assert case.events.filter(kind=CaseEvent.Kind.UPDATES_CHOSEN).count() == 1
    assert "already stopped" in client.get(url).content.decode()


def test_an_altered_stop_link_is_not_found(client, fly_tipping):
    case = submitted_case(fly_tipping)
    token = updates_stop_token(case)
    assert client.get(f"/updates/stop/{token}x/").status_code == 404
    assert client.post(f"/updates/stop/{token}x/").status_code == 404


def test_a_resident_without_email_tracks_by_phone_or_postcode(client, fly_tipping):
    case = submitted_case(fly_tipping)
    Case.objects.filter(pk=case.pk).update(
        contact_email="", contact_phone="07700900123", contact_postcode="OX1 1AA"
    )
    by_phone = client.post("/track/", {"reference": case.reference, "phone": "07700 900123"})
    assert f"{case.reference}" in by_phone.content.decode()
    assert "could not find" not in by_phone.content.decode()
    by_postcode = client.post("/track/", {"reference": case.reference, "postcode": "ox1 1aa"})
    assert "could not find" not in by_postcode.content.decode()
    wrong = client.post("/track/", {"reference": case.reference, "postcode": "OX2 2BB"})
    assert "could not find a request" in wrong.content.decode()
