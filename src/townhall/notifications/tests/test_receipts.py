"""Notify's delivery receipts, posted to the callback endpoint with the
council's bearer token, recorded on the message they name."""

from __future__ import annotations

import json
import uuid

import pytest

from townhall.notifications.models import Delivery, NotifySettings
from townhall.notifications.receipts import token_hash

pytestmark = pytest.mark.django_db

URL = "/notifications/notify/receipts/"


@pytest.fixture
def message(notify_council) -> Delivery:
    return Delivery.objects.create(
        organisation=notify_council,
        channel="sms",
        provider="notify-sms",
        recipient="07700900123",
        status=Delivery.Status.SENT,
        provider_reference="740e5834-3a29-46b4-9a6f-16142fde533a",
    )


def receipt(message: Delivery, status: str) -> dict[str, object]:
    """A receipt in Notify's callback format."""
    return {
        "id": message.provider_reference,
        "reference": str(message.reference),
        "to": message.recipient,
        "status": status,
        "created_at": "2026-11-30T12:00:00.000000Z",
        "completed_at": "2026-11-30T12:00:05.000000Z",
        "sent_at": "2026-11-30T12:00:01.000000Z",
        "notification_type": "sms",
        "template_id": "0b8b3c3e-6c3b-4a0a-8c59-3f3f2d5e0f11",
        "template_version": 1,
    }


def post(client, body, token="callback-token-1"):  # noqa: S107
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", **headers)


def test_a_delivered_receipt_is_recorded(client, message):
    response = post(client, receipt(message, "delivered"))
    assert response.status_code == 200
    message.refresh_from_db()
    assert message.receipt == Delivery.Receipt.DELIVERED
    assert message.receipt_at is not None
    assert not message.undelivered


def test_a_permanent_failure_is_recorded_as_undelivered_for_good(client, message):
    assert post(client, receipt(message, "permanent-failure")).status_code == 200
    message.refresh_from_db()
    assert message.permanent and message.undelivered
    assert message.get_receipt_display().startswith("Not delivered")


def test_a_temporary_failure_is_recorded_as_undelivered(client, message):
    assert post(client, receipt(message, "temporary-failure")).status_code == 200
    message.refresh_from_db()
    assert message.undelivered and not message.permanent


@pytest.mark.parametrize("token", ["", "wrong-token-1", "short"])
def test_without_the_councils_token_nothing_is_recorded(client, message, token):
    response = post(client, receipt(message, "delivered"), token=token)
    assert response.status_code == 401
    message.refresh_from_db()
    assert message.receipt == ""


def test_the_token_is_kept_only_as_its_hash(notify_council):
    config = NotifySettings.objects.get(organisation=notify_council)
    assert config.callback_token_hash == token_hash("callback-token-1")
    assert "callback-token-1" not in str(NotifySettings.objects.values().get())


def test_another_councils_token_cannot_touch_this_councils_messages(client, message, other_council):
    NotifySettings.objects.create(
        organisation=other_council, api_key="x", callback_token_hash=token_hash("other-token-2")
    )
    response = post(client, receipt(message, "permanent-failure"), token="other-token-2")
    assert response.status_code == 400
    assert "no message of this council" in response.json()["error"]
    message.refresh_from_db()
    assert message.receipt == ""


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("not json", "not JSON"),
        ("[1]", "not a JSON object"),
        ({"reference": "x", "status": "delivered"}, "not one Townhall sent"),
        ({"reference": str(uuid.uuid4()), "status": "exploded"}, "unknown status"),
        ({"reference": str(uuid.uuid4()), "status": "delivered"}, "no message"),
    ],
)
def test_a_receipt_that_cannot_be_used_is_refused_with_the_reason(client, message, body, error):
    response = post(client, body)
    assert response.status_code == 400
    assert error in response.json()["error"]


def test_only_post_is_accepted(client, message):
    assert client.get(URL).status_code == 405
