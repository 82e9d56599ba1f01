"""Providers: one outbox for every channel, delivered through registered
providers; a failing provider never loses or blocks a submission; a send cut
off mid-way is retried soon, safely where the provider allows, and a repeat
by email is recognisable by its Message-ID."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from townhall.cases.events import subscriber_register, subscriber_unregister
from townhall.cases.factories import FLY_TIPPING_ANSWERS, submitted_case
from townhall.cases.models import Case, CaseEvent
from townhall.cases.services import case_transition
from townhall.notifications.batch import deliveries_drain
from townhall.notifications.models import Delivery
from townhall.notifications.providers import Provider, provider_register, provider_unregister
from townhall.notifications.services import MAX_ATTEMPTS, Outgoing, email_queue
from townhall.notifications.tasks import deliver

# Every test runs on each task engine: the database queue, then RQ (src/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("task_engine")]

PHONE = "07700 900123"


class TextMessages(Provider):
    """A throwaway SMS gateway: fails while `failing`; remembers what it took by
    reference, and takes a reference once (so it can retry safely)."""

    name = "test_sms"
    channel = "sms"
    idempotent_retry = True

    def __init__(self) -> None:
        self.failing = False
        self.die_after_accepting = False
        self.calls = 0
        self.accepted: dict[str, Delivery] = {}

    def send(self, delivery: Delivery) -> str:
        self.calls += 1
        if self.failing:
            raise ConnectionError("gateway unreachable")
        self.accepted.setdefault(str(delivery.reference), delivery)
        if self.die_after_accepting:
            self.die_after_accepting = False
            raise SystemExit  # the worker is killed before it records the send
        return f"sms-{delivery.reference}"


def text_the_resident(event: CaseEvent) -> list[Outgoing]:
    return [
        Outgoing(
            channel=Delivery.Channel.SMS,
            recipient=PHONE,
            body=f"{event.case.reference} is now {event.to_status}",
        )
    ]


@pytest.fixture
def gateway():
    provider = TextMessages()
    provider_register(provider)
    subscriber_register(
        name="test.text", kinds=[CaseEvent.Kind.STATUS_CHANGED], func=text_the_resident
    )
    yield provider
    subscriber_unregister(name="test.text")
    provider_unregister(provider.name)


@pytest.fixture
def case(fly_tipping, django_capture_on_commit_callbacks) -> Case:
    with django_capture_on_commit_callbacks(execute=True):
        case = submitted_case(fly_tipping)
    mail.outbox.clear()
    return case


def retry(django_capture_on_commit_callbacks, command: str = "outbox_retry", *args: str) -> str:
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command(command, *args, stdout=out)
    return out.getvalue()


def left_sending(delivery: Delivery, minutes: float) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        last_attempt_at=timezone.now() - timedelta(minutes=minutes)
    )


# ---- registering a provider ----------------------------------------------------------


def test_a_registered_provider_delivers_its_channel(
    case, staff_user, gateway, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(case=case, to_status="inspecting", actor=staff_user)

    text = Delivery.objects.get(channel=Delivery.Channel.SMS)
    assert (text.provider, text.recipient, text.status, text.attempts) == (
        "test_sms",
        PHONE,
        Delivery.Status.SENT,
        1,
    )
    assert text.provider_reference == f"sms-{text.reference}"
    assert [d.body for d in gateway.accepted.values()] == [f"{case.reference} is now inspecting"]
    # the resident's email went its own way, through the email provider
    assert len(mail.outbox) == 1
    assert Delivery.objects.get(channel=Delivery.Channel.EMAIL, event__kind="status_changed")


def test_a_failing_provider_never_loses_or_blocks_a_change_and_delivers_once_it_recovers(
    case, staff_user, gateway, django_capture_on_commit_callbacks
):
    gateway.failing = True
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(case=case, to_status="cleared", actor=staff_user, public_message="Gone")

    stored = Case.objects.get(pk=case.pk)
    assert (stored.status, stored.is_open) == ("cleared", False)
    assert stored.answers == FLY_TIPPING_ANSWERS
    assert stored.events.get(kind="status_changed").dispatched_at is not None
    text = Delivery.objects.get(channel=Delivery.Channel.SMS)
    assert (text.status, text.attempts, text.last_error) == (
        Delivery.Status.FAILED,
        MAX_ATTEMPTS,
        "ConnectionError",
    )
    assert gateway.accepted == {}
    assert len(mail.outbox) == 1  # the email was not held up by the text

    gateway.failing = False
    retry(django_capture_on_commit_callbacks, "outbox_retry", "--include-failed")
    text.refresh_from_db()
    assert (text.status, text.last_error) == (Delivery.Status.SENT, "")
    assert len(gateway.accepted) == 1
    assert len(mail.outbox) == 1


def test_a_failing_provider_never_loses_or_blocks_a_submission(
    fly_tipping, gateway, django_capture_on_commit_callbacks
):
    subscriber_register(
        name="test.text_on_submit", kinds=[CaseEvent.Kind.SUBMITTED], func=text_the_resident
    )
    gateway.failing = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            case = submitted_case(fly_tipping)
    finally:
        subscriber_unregister(name="test.text_on_submit")

    stored = Case.objects.get(pk=case.pk)
    assert (stored.reference, stored.status, stored.answers) == (
        case.reference,
        "received",
        FLY_TIPPING_ANSWERS,
    )
    assert stored.draft.case_id == stored.pk
    assert stored.events.get().dispatched_at is not None
    assert Delivery.objects.get(case=case, channel="sms").status == Delivery.Status.FAILED
    assert len(mail.outbox) == 1

    gateway.failing = False
    retry(django_capture_on_commit_callbacks, "outbox_retry", "--include-failed")
    assert [d.body for d in gateway.accepted.values()] == [f"{case.reference} is now received"]


def test_a_row_naming_a_provider_that_is_gone_is_retried_then_given_up_visibly(council):
    delivery = Delivery.objects.create(
        organisation=council, channel="sms", provider="removed", recipient=PHONE, body="Hi"
    )
    deliver.enqueue(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error) == (Delivery.Status.FAILED, "ProviderMissing")


def test_messages_waiting_for_their_next_attempt_are_sent_now_with_waiting(
    case, django_capture_on_commit_callbacks
):
    # The mail server refused it a minute ago; its next attempt is minutes away.
    acknowledgement = Delivery.objects.get(case=case)
    Delivery.objects.filter(pk=acknowledgement.pk).update(
        status=Delivery.Status.RETRYING,
        attempts=4,
        last_error="SMTPDataError",
        last_attempt_at=timezone.now() - timedelta(minutes=1),
        sent_at=None,
    )
    assert "0 message(s) were" in retry(django_capture_on_commit_callbacks)
    sent_now = retry(django_capture_on_commit_callbacks, "outbox_retry", "--waiting")
    assert "1 message(s) were" in sent_now
    acknowledgement.refresh_from_db()
    assert (acknowledgement.status, acknowledgement.attempts) == (Delivery.Status.SENT, 1)
    assert [m.to for m in mail.outbox] == [["resident@example.com"]]
    # The attempt it was waiting for finds it sent, and sends nothing.
    deliver.call(acknowledgement.pk)
    assert len(mail.outbox) == 1


def test_outbox_retry_can_be_limited_to_one_channel(
    council, gateway, django_capture_on_commit_callbacks
):
    for channel, provider in (("sms", "test_sms"), ("email", "email")):
        Delivery.objects.create(
            organisation=council,
            channel=channel,
            provider=provider,
            recipient=PHONE if channel == "sms" else "resident@example.com",
            status=Delivery.Status.FAILED,
        )
    out = retry(
        django_capture_on_commit_callbacks, "outbox_retry", "--include-failed", "--channel", "sms"
    )
    assert "1 message(s) were queued" in out
    assert len(gateway.accepted) == 1
    assert mail.outbox == []
    assert "1 email(s) were queued" in retry(
        django_capture_on_commit_callbacks, "emails_retry", "--include-failed"
    )
    assert len(mail.outbox) == 1


# ---- a send cut off mid-way ------------------------------------------------------------


@pytest.fixture
def worker_killed_after_the_mail_server_accepts(monkeypatch):
    """The mail server takes the message, then the worker dies before recording it."""
    real_send = EmailMessage.send
    state: dict[str, Any] = {"kill": True}

    def send(message, fail_silently=False):
        sent = real_send(message, fail_silently)
        if state["kill"]:
            state["kill"] = False
            raise SystemExit
        return sent

    monkeypatch.setattr(EmailMessage, "send", send)
    return state


def test_an_email_cut_off_mid_send_is_sent_again_within_minutes_with_the_same_message_id(
    case,
    staff_user,
    staff_client,
    worker_killed_after_the_mail_server_accepts,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(case=case, to_status="inspecting", actor=staff_user)
    email = Delivery.objects.get(event__kind="status_changed")
    assert email.status == Delivery.Status.SENDING
    assert len(mail.outbox) == 1

    # A send in progress is left alone...
    left_sending(email, minutes=5)
    assert "0 email(s) were" in retry(django_capture_on_commit_callbacks, "emails_retry")
    # ...but one left "sending" for longer than any send takes was cut off.
    left_sending(email, minutes=11)
    assert "1 email(s) were" in retry(django_capture_on_commit_callbacks, "emails_retry")

    email.refresh_from_db()
    assert (email.status, email.interrupted) == (Delivery.Status.SENT, True)
    assert email.may_have_repeated
    first, second = mail.outbox
    assert first.message()["Message-ID"] == second.message()["Message-ID"]
    assert first.message()["Message-ID"].startswith(f"<{email.reference}@")
    assert email.provider_reference == first.message()["Message-ID"]
    page = staff_client.get(f"/staff/cases/{case.reference}/").content.decode()
    assert "the resident may have it twice" in page


def test_a_provider_that_allows_it_retries_a_cut_off_send_without_repeating_it(
    case, staff_user, gateway, django_capture_on_commit_callbacks
):
    gateway.die_after_accepting = True
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(case=case, to_status="inspecting", actor=staff_user)
    text = Delivery.objects.get(channel="sms")
    if connection.vendor == "postgresql":
        # Its claim lock went with the worker: the next batch finds it at once
        # (it may have already, in a later task of the same transition).
        deliveries_drain()
    else:
        assert text.status == Delivery.Status.SENDING
        left_sending(text, minutes=11)
        retry(django_capture_on_commit_callbacks)
    text.refresh_from_db()
    assert (text.status, text.interrupted, text.may_have_repeated) == (
        Delivery.Status.SENT,
        True,
        False,
    )
    assert gateway.calls == 2
    assert len(gateway.accepted) == 1


def test_every_row_has_its_own_message_id_kept_on_every_attempt(
    council, django_capture_on_commit_callbacks
):
    council.contact_email = "hello@example.gov.uk"
    council.save()
    with django_capture_on_commit_callbacks(execute=True):
        first = email_queue(organisation=council, to="a@example.com", subject="S", body="B")
        second = email_queue(organisation=council, to="a@example.com", subject="S", body="B")

    ids = [m.message()["Message-ID"] for m in mail.outbox]
    assert ids == [f"<{first.reference}@example.gov.uk>", f"<{second.reference}@example.gov.uk>"]
