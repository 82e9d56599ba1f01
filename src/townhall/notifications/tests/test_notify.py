"""GOV.UK Notify through its official client, against a fake Notify (a real
HTTP server) that checks what the client sends: the JWT and the payload;
Notify's temporary failures are retried with the outbox's backoff, its
permanent ones are recorded at once and not retried."""

from __future__ import annotations

import time
import uuid

import jwt
import pytest
import requests
from django.core import mail

from townhall.notifications.models import Delivery
from townhall.notifications.providers import provider_available, provider_for
from townhall.notifications.services import (
    NotDelivered,
    Outgoing,
    delivery_queue,
    delivery_send,
)
from townhall.testing.notify import FakeNotify

pytestmark = pytest.mark.django_db

MOBILE = "07700900123"
ADDRESS = "Flat 2\n10 Castle Street\nOxford\nOX1 1AA"


def send(council, capture, channel: str, recipient: str, **fields) -> Delivery:
    outgoing = Outgoing(
        channel=channel,
        recipient=recipient,
        subject=fields.get("subject", "Your report EXA-2026-00000001"),
        body=fields.get("body", "We have your report."),
        payload={"case_reference": "EXA-2026-00000001", "stop_url": "https://t.example/stop/"},
    )
    with capture(execute=True):
        delivery = delivery_queue(organisation=council, outgoing=outgoing)
    delivery.refresh_from_db()
    return delivery


def test_an_email_goes_through_notify_with_a_signed_token_and_the_template(
    notify_council, fake_notify, django_capture_on_commit_callbacks
):
    delivery = send(notify_council, django_capture_on_commit_callbacks, "email", "ada@example.com")
    assert delivery.provider == "notify-email"
    assert delivery.status == Delivery.Status.SENT
    (accepted,) = fake_notify.accepted
    assert delivery.provider_reference == accepted.id
    assert accepted.kind == "email"
    # The JWT the client made: verified with the secret (HS256), iss the service ID,
    # issued within 30 seconds.
    assert accepted.claims["iss"] == fake_notify.service_id
    assert abs(time.time() - accepted.claims["iat"]) <= 30
    payload = accepted.payload
    assert payload["template_id"] == fake_notify.templates["email"]
    assert payload["email_address"] == "ada@example.com"
    assert payload["personalisation"] == {
        "subject": "Your report EXA-2026-00000001",
        "body": "We have your report.",
        "case_reference": "EXA-2026-00000001",
        "stop_url": "https://t.example/stop/",
    }
    assert payload["one_click_unsubscribe_url"] == "https://t.example/stop/"
    # Notify's reference is the row's UUID: nothing about the person.
    assert payload["reference"] == str(delivery.reference)
    assert uuid.UUID(payload["reference"])
    assert mail.outbox == []  # not also by SMTP


def test_a_text_message_and_a_letter_go_through_notify(
    notify_council, fake_notify, django_capture_on_commit_callbacks
):
    text = send(notify_council, django_capture_on_commit_callbacks, "sms", MOBILE)
    letter = send(notify_council, django_capture_on_commit_callbacks, "letter", ADDRESS)
    assert (text.status, letter.status) == (Delivery.Status.SENT, Delivery.Status.SENT)
    sms, post = fake_notify.accepted
    assert sms.kind == "sms" and sms.payload["phone_number"] == MOBILE
    assert sms.payload["template_id"] == fake_notify.templates["sms"]
    assert sms.payload["reference"] == str(text.reference)
    assert post.kind == "letter"
    assert post.payload["personalisation"]["address_line_1"] == "Flat 2"
    assert post.payload["personalisation"]["address_line_4"] == "OX1 1AA"
    assert post.payload["personalisation"]["body"] == "We have your report."
    assert post.payload["reference"] == str(letter.reference)


@pytest.mark.parametrize("status", [500, 429])
def test_notify_down_or_rate_limiting_is_retried_with_the_backoff(
    notify_council, fake_notify, django_capture_on_commit_callbacks, status
):
    fake_notify.fail_next(status, times=2)
    delivery = send(notify_council, django_capture_on_commit_callbacks, "sms", MOBILE)
    # The task failed twice, was queued again each time (with run_after on a
    # backend that defers), and the third attempt was taken.
    assert delivery.status == Delivery.Status.SENT
    assert delivery.attempts == 3
    assert not delivery.permanent
    assert len(fake_notify.accepted) == 1


def test_a_temporary_failure_leaves_the_message_to_retry(notify_council, fake_notify):
    delivery = Delivery.objects.create(
        organisation=notify_council, channel="sms", provider="notify-sms", recipient=MOBILE
    )
    fake_notify.fail_next(500)
    with pytest.raises(NotDelivered) as raised:
        delivery_send(delivery_id=delivery.pk)
    assert MOBILE not in str(raised.value)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.RETRYING
    assert delivery.last_error == "NotifyUnavailable"


def test_a_number_notify_refuses_is_failed_at_once_and_not_retried(
    notify_council, fake_notify, django_capture_on_commit_callbacks, caplog
):
    delivery = send(notify_council, django_capture_on_commit_callbacks, "sms", "01632960001")
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.permanent and delivery.undelivered
    assert delivery.attempts == 1
    assert fake_notify.requests == 1  # not retried
    assert "Not a UK mobile number" in delivery.last_error
    assert "400" in delivery.last_error
    assert "01632960001" not in delivery.last_error
    assert "01632960001" not in caplog.text


def test_a_key_notify_refuses_is_failed_at_once(
    notify_council, fake_notify, django_capture_on_commit_callbacks
):
    fake_notify.fail_next(403)
    delivery = send(notify_council, django_capture_on_commit_callbacks, "email", "a@example.com")
    assert delivery.status == Delivery.Status.FAILED and delivery.permanent
    assert "403" in delivery.last_error and "AuthError" in delivery.last_error
    assert fake_notify.requests == 1


def test_a_key_with_the_wrong_secret_is_refused_by_the_token_check(
    notify_council, fake_notify, django_capture_on_commit_callbacks
):
    config = notify_council.notify_settings
    config.api_key = f"wrong-{fake_notify.service_id}-{uuid.uuid4()}"
    config.save()
    delivery = send(notify_council, django_capture_on_commit_callbacks, "email", "a@example.com")
    assert delivery.permanent
    assert "Invalid token" in delivery.last_error
    assert fake_notify.accepted == []


def test_the_fake_refuses_a_token_issued_too_long_ago(fake_notify):
    """The fake checks iat as Notify does, so the client's fresh token is proven."""
    stale = jwt.encode(
        {"iss": fake_notify.service_id, "iat": int(time.time()) - 60},
        fake_notify.secret,
        algorithm="HS256",
    )
    answer = requests.post(
        f"{fake_notify.url}/v2/notifications/sms",
        json={"phone_number": MOBILE, "template_id": fake_notify.templates["sms"]},
        headers={"Authorization": f"Bearer {stale}"},
        timeout=5,
    )
    assert answer.status_code == 403
    assert "30 seconds" in answer.json()["errors"][0]["message"]


def test_an_interrupted_send_that_notify_took_is_not_sent_again(
    notify_council, fake_notify, django_capture_on_commit_callbacks
):
    delivery = send(notify_council, django_capture_on_commit_callbacks, "sms", MOBILE)
    # The worker stopped after Notify took it and before it was recorded.
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.PENDING, interrupted=True, provider_reference=""
    )
    delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert delivery.provider_reference == fake_notify.accepted[0].id
    assert len(fake_notify.accepted) == 1
    assert not delivery.may_have_repeated


def test_without_notify_email_goes_by_smtp_and_texts_cannot_be_sent(
    council, django_capture_on_commit_callbacks
):
    assert provider_for("email", council) == "email"
    assert not provider_available("sms", council)
    assert not provider_available("letter", council)
    delivery = send(council, django_capture_on_commit_callbacks, "email", "ada@example.com")
    assert delivery.provider == "email"
    assert delivery.status == Delivery.Status.SENT
    (message,) = mail.outbox
    assert message.extra_headers["List-Unsubscribe"] == "<https://t.example/stop/>"


def test_a_council_that_turns_notify_off_goes_back_to_smtp(notify_council, other_council):
    assert provider_for("sms", notify_council) == "notify-sms"
    assert not provider_available("sms", other_council)  # per council
    config = notify_council.notify_settings
    config.enabled = False
    config.save()
    assert provider_for("email", notify_council) == "email"
    assert not provider_available("sms", notify_council)


def test_a_channel_without_a_template_is_not_sent_through_notify(notify_council):
    config = notify_council.notify_settings
    config.letter_template_id = ""
    config.save()
    assert provider_available("sms", notify_council)
    assert not provider_available("letter", notify_council)


def test_the_api_key_is_never_shown_in_full(notify_council, fake_notify):
    hint = notify_council.notify_settings.api_key_hint
    assert fake_notify.secret not in hint and fake_notify.service_id not in hint
    assert hint.endswith(fake_notify.secret[-4:])


def test_the_fake_answers_lookups_by_reference_only_for_what_it_took():
    notify = FakeNotify().start()
    try:
        answer = requests.get(
            f"{notify.url}/v2/notifications?reference=nothing",
            headers={
                "Authorization": "Bearer "
                + jwt.encode(
                    {"iss": notify.service_id, "iat": int(time.time())},
                    notify.secret,
                    algorithm="HS256",
                )
            },
            timeout=5,
        )
        assert answer.json()["notifications"] == []
    finally:
        notify.stop()
