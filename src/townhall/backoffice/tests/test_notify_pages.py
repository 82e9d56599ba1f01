"""Staff and GOV.UK Notify: a phone caller without email chooses texts or
letters; a message that did not arrive shows on the case page and can be
sent another way; organisation admins set the council's Notify service up."""

from __future__ import annotations

import json

import pytest

from townhall.backoffice.tests.test_assisted import START, _answer
from townhall.cases.models import Case
from townhall.notifications.models import Delivery, NotifySettings
from townhall.testing.sign_in import sign_in

pytestmark = pytest.mark.django_db


def record_phone_call(staff_client, capture) -> Case:
    staff_client.post(START, {"channel": "phone"})
    _answer(staff_client)
    with capture(execute=True):
        staff_client.post(f"{START}check/")
    return Case.objects.get()


def test_a_caller_without_email_chooses_texts_at_the_end_of_the_call(
    staff_client, fly_tipping, notify_council, fake_notify, django_capture_on_commit_callbacks
):
    case = record_phone_call(staff_client, django_capture_on_commit_callbacks)
    done = staff_client.get(f"{START}done/").content.decode()
    assert "How does the resident want to hear about their case?" in done
    assert "Text message" in done and "Letter" in done
    refused = staff_client.post(f"{START}updates/", {"updates_by": "sms", "phone": "0123"})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "There is a problem" in body and "Enter a UK mobile phone number" in body
    with django_capture_on_commit_callbacks(execute=True):
        saved = staff_client.post(f"{START}updates/", {"updates_by": "sms", "phone": "07700900123"})
    assert saved["Location"] == f"{START}done/"
    assert "will get updates by text message" in staff_client.get(f"{START}done/").content.decode()
    (text,) = fake_notify.accepted
    assert text.kind == "sms" and case.reference in text.payload["personalisation"]["body"]


def test_without_notify_staff_are_offered_email_only(
    staff_client, fly_tipping, django_capture_on_commit_callbacks
):
    record_phone_call(staff_client, django_capture_on_commit_callbacks)
    done = staff_client.get(f"{START}done/").content.decode()
    assert "Text message" not in done and 'value="letter"' not in done
    assert 'value="email"' in done and 'value="none"' in done


def test_a_permanent_failure_shows_on_the_case_and_staff_send_it_another_way(
    staff_client, fly_tipping, notify_council, fake_notify, django_capture_on_commit_callbacks
):
    case = record_phone_call(staff_client, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(f"{START}updates/", {"updates_by": "sms", "phone": "07700900123"})
    text = case.deliveries.get()
    receipt = {"id": text.provider_reference, "reference": str(text.reference)}
    receipt |= {"status": "permanent-failure", "notification_type": "sms"}
    answer = staff_client.post(
        "/notifications/notify/receipts/",
        data=json.dumps(receipt),
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer callback-token-1",
    )
    assert answer.status_code == 200
    page = staff_client.get(f"/staff/cases/{case.reference}/").content.decode()
    assert "Updates by text message" in page  # on the timeline
    assert "07700900123" in page
    assert "Did not reach the resident" in page
    assert "not delivered: wrong or unknown recipient" in page
    assert "Send it another way" in page
    resend = f"/staff/cases/{case.reference}/messages/{text.pk}/resend/"
    refused = staff_client.post(resend, {"resend-updates_by": "letter"})
    assert refused.status_code == 400
    assert "Enter the address to send letters to" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        sent = staff_client.post(
            resend,
            {
                "resend-updates_by": "letter",
                "resend-address": "10 Castle Street, Oxford",
                "resend-postcode": "OX1 1AA",
            },
        )
    assert sent.status_code == 302
    letter = case.deliveries.latest("pk")
    assert (letter.channel, letter.provider, letter.status) == ("letter", "notify-letter", "sent")
    assert fake_notify.accepted[-1].payload["personalisation"]["address_line_3"] == "OX1 1AA"


def test_an_adviser_sees_failures_but_cannot_resend(
    client, fly_tipping, staff_client, notify_council, django_capture_on_commit_callbacks
):
    from townhall.tenancy.factories import MembershipFactory

    case = record_phone_call(staff_client, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(f"{START}updates/", {"updates_by": "sms", "phone": "07700900123"})
    Delivery.objects.update(permanent=True, status="failed")
    adviser = MembershipFactory(organisation=notify_council, role="adviser").user
    sign_in(client, adviser)
    page = client.get(f"/staff/cases/{case.reference}/").content.decode()
    assert "Did not reach the resident" in page and "Send it another way" not in page


def test_an_organisation_admin_sets_up_notify_and_never_sees_the_key_again(
    manager_client, council, fake_notify
):
    page = manager_client.get("/staff/notify/")
    assert page.status_code == 200
    assert "/notifications/notify/receipts/" in page.content.decode()
    missing = manager_client.post("/staff/notify/", {"enabled": "on"})
    assert missing.status_code == 400 and "Enter the API key" in missing.content.decode()
    bad = manager_client.post("/staff/notify/", {"api_key": "nope", "sms_template_id": "x"})
    body = bad.content.decode()
    assert "Enter the whole API key" in body and "Enter a template ID" in body
    assert "nope" not in body.split("<main")[1]  # what was typed is not sent back
    saved = manager_client.post(
        "/staff/notify/",
        {
            "enabled": "on",
            "api_key": fake_notify.api_key,
            "sms_template_id": fake_notify.templates["sms"],
            "callback_token": "a-long-enough-token",
        },
    )
    assert saved.status_code == 302
    config = NotifySettings.objects.get(organisation=council)
    assert config.api_key == fake_notify.api_key and config.sms_template_id
    after = manager_client.get("/staff/notify/").content.decode()
    assert fake_notify.secret not in after and fake_notify.api_key not in after
    assert fake_notify.secret[-4:] in after and "a-long-enough-token" not in after
    # Saving again without a key keeps the saved one.
    manager_client.post("/staff/notify/", {"enabled": "on", "email_template_id": ""})
    config.refresh_from_db()
    assert config.api_key == fake_notify.api_key and not config.sms_template_id


def test_caseworkers_cannot_see_the_notify_settings(staff_client, council):
    assert staff_client.get("/staff/notify/").status_code == 403


def test_staff_change_how_the_resident_hears_on_the_case_page(
    staff_client, fly_tipping, notify_council, fake_notify, django_capture_on_commit_callbacks
):
    case = record_phone_call(staff_client, django_capture_on_commit_callbacks)
    url = f"/staff/cases/{case.reference}/updates/"
    page = staff_client.get(f"/staff/cases/{case.reference}/").content.decode()
    assert "Change how the resident hears" in page
    refused = staff_client.post(url, {"updates-updates_by": "letter", "updates-address": "1 A St"})
    assert refused.status_code == 400
    assert "Enter a postcode" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        saved = staff_client.post(
            url,
            {
                "updates-updates_by": "letter",
                "updates-address": "10 Castle Street\nOxford",
                "updates-postcode": "OX1 1AA",
            },
        )
    assert saved.status_code == 302
    case.refresh_from_db()
    assert (case.updates_by, case.contact_postcode) == ("letter", "OX1 1AA")
    (letter,) = fake_notify.accepted
    assert letter.kind == "letter"
