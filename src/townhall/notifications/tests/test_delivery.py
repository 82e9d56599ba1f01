"""Emails to residents: queued with the change they report, delivered after commit,
retried when the mail server fails, and never in the way of a submission."""

from __future__ import annotations

import logging
import smtplib
from email.utils import getaddresses
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMessage

from townhall.cases.factories import submitted_case
from townhall.cases.models import Case
from townhall.notifications.models import Delivery
from townhall.notifications.services import delivery_send, email_queue
from townhall.notifications.tasks import deliver

# Every test runs on each task engine: the database queue, then RQ (src/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("task_engine")]

from townhall.notifications.services import MAX_ATTEMPTS  # noqa: E402

ADDRESS = "resident@example.com"


@pytest.fixture
def mail_server(monkeypatch):
    """A mail server that fails with the given errors, in turn, then delivers."""
    real_send = EmailMessage.send
    server: dict[str, Any] = {"failures": [], "calls": 0}

    def send(message, fail_silently=False):
        server["calls"] += 1
        if server["failures"]:
            raise server["failures"].pop(0)
        return real_send(message, fail_silently)

    monkeypatch.setattr(EmailMessage, "send", send)
    return server


def queue(council, django_capture_on_commit_callbacks, **fields) -> Delivery:
    with django_capture_on_commit_callbacks(execute=True):
        email = email_queue(
            organisation=council,
            to=fields.get("to", ADDRESS),
            subject=fields.get("subject", "Your report EXA-2026-00000001"),
            body=fields.get("body", "We have your report."),
        )
    email.refresh_from_db()
    return email


def email_row(council, **fields) -> Delivery:
    """An email written straight to the outbox, with no task to send it."""
    return Delivery.objects.create(
        organisation=council,
        channel=Delivery.Channel.EMAIL,
        provider="email",
        recipient=ADDRESS,
        body="B",
        **fields,
    )


def from_header() -> list[tuple[str, str]]:
    (message,) = mail.outbox
    return getaddresses([str(message.message()["From"])])


# ---- queueing and delivering --------------------------------------------------------


def test_a_queued_email_waits_for_the_transaction_to_commit(
    council, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = email_queue(organisation=council, to=ADDRESS, subject="Subject", body="Body")

    stored = Delivery.objects.get(pk=email.pk)
    assert (stored.status, stored.attempts, stored.recipient) == (
        Delivery.Status.PENDING,
        0,
        ADDRESS,
    )
    assert mail.outbox == []
    assert len(callbacks) == 1

    callbacks[0]()
    stored.refresh_from_db()
    assert stored.status == Delivery.Status.SENT
    assert len(mail.outbox) == 1


def test_a_delivered_email_is_sent_as_written_and_marked_sent(
    council, django_capture_on_commit_callbacks
):
    email = queue(council, django_capture_on_commit_callbacks, subject="Hello", body="Dear Ada")

    (message,) = mail.outbox
    assert (message.to, message.subject, message.body) == ([ADDRESS], "Hello", "Dear Ada")
    assert email.status == Delivery.Status.SENT
    assert email.attempts == 1
    assert email.sent_at is not None
    assert email.last_error == ""


def test_email_comes_from_the_councils_own_address(council, django_capture_on_commit_callbacks):
    council.contact_email = "hello@example.gov.uk"
    council.save()
    queue(council, django_capture_on_commit_callbacks)
    assert from_header() == [("Example Council", "hello@example.gov.uk")]


def test_without_a_council_address_the_default_sender_is_used(
    council, settings, django_capture_on_commit_callbacks
):
    settings.DEFAULT_FROM_EMAIL = "Townhall <no-reply@townhall.invalid>"
    queue(council, django_capture_on_commit_callbacks)
    assert from_header() == [("Townhall", "no-reply@townhall.invalid")]


@pytest.mark.parametrize(
    "name", ["St. Helens Borough Council", "Council of the Isles (Scilly)", "Council, North"]
)
def test_any_council_name_makes_one_sender(council, name, django_capture_on_commit_callbacks):
    council.name = name
    council.contact_email = "hello@example.gov.uk"
    council.save()
    queue(council, django_capture_on_commit_callbacks)
    assert from_header() == [(name, "hello@example.gov.uk")]


def test_an_email_already_sent_is_not_sent_again(council, django_capture_on_commit_callbacks):
    email = queue(council, django_capture_on_commit_callbacks)
    delivery_send(delivery_id=email.pk)
    deliver.enqueue(email.pk)

    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.attempts == 1


def test_delivering_an_email_that_no_longer_exists_does_nothing(db):
    delivery_send(delivery_id=987654)
    assert mail.outbox == []


# ---- when the mail server fails ------------------------------------------------------


@pytest.mark.parametrize(
    "error", [ConnectionRefusedError(111, "Connection refused"), smtplib.SMTPException("421")]
)
def test_a_failing_mail_server_never_loses_or_blocks_a_submission(
    fly_tipping, mail_server, error, django_capture_on_commit_callbacks
):
    mail_server["failures"] = [error] * 100
    with django_capture_on_commit_callbacks(execute=True):
        case = submitted_case(fly_tipping)

    assert Case.objects.filter(pk=case.pk, status="received").exists()
    email = Delivery.objects.get(case=case)
    assert email.status == Delivery.Status.FAILED
    assert email.attempts == MAX_ATTEMPTS
    assert email.last_error == type(error).__name__
    assert email.sent_at is None
    assert mail_server["calls"] == MAX_ATTEMPTS
    assert mail.outbox == []


def test_a_failed_email_is_retried_until_it_is_sent(
    fly_tipping, mail_server, django_capture_on_commit_callbacks
):
    mail_server["failures"] = [ConnectionRefusedError(), smtplib.SMTPServerDisconnected()]
    with django_capture_on_commit_callbacks(execute=True):
        case = submitted_case(fly_tipping)

    email = Delivery.objects.get(case=case)
    assert email.status == Delivery.Status.SENT
    assert email.attempts == 3
    assert email.last_error == ""
    assert email.sent_at is not None
    (message,) = mail.outbox
    assert case.reference in message.subject


def test_an_email_that_failed_for_good_is_sent_when_tried_again_later(
    council, mail_server, django_capture_on_commit_callbacks
):
    mail_server["failures"] = [ConnectionRefusedError()] * MAX_ATTEMPTS
    email = queue(council, django_capture_on_commit_callbacks)
    assert (email.status, email.attempts) == (Delivery.Status.FAILED, MAX_ATTEMPTS)

    deliver.enqueue(email.pk)

    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (
        Delivery.Status.SENT,
        MAX_ATTEMPTS + 1,
        "",
    )
    assert len(mail.outbox) == 1


def test_a_failure_is_raised_so_the_task_can_retry_it(council, mail_server):
    mail_server["failures"] = [smtplib.SMTPDataError(554, b"Rejected")]
    email = email_row(council, subject="S")
    with pytest.raises(Exception, match="SMTPDataError"):
        delivery_send(delivery_id=email.pk)
    email.refresh_from_db()
    # not given up on: the status says another attempt will follow
    assert (email.status, email.attempts, email.last_error) == (
        Delivery.Status.RETRYING,
        1,
        "SMTPDataError",
    )
    assert email.last_attempt_at is not None


def test_stuck_and_given_up_emails_can_be_queued_again(
    council, mail_server, django_capture_on_commit_callbacks
):
    import io
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    def retry(*args: str) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            call_command("emails_retry", *args, stdout=io.StringIO())

    old = timezone.now() - timedelta(days=1)
    lost = email_row(council, subject="Lost")
    fresh = email_row(council, subject="Fresh")
    failed = email_row(council, subject="Failed", status=Delivery.Status.FAILED)
    Delivery.objects.filter(pk__in=[lost.pk, failed.pk]).update(created_at=old, last_attempt_at=old)
    retry("--dry-run")
    assert mail.outbox == []
    retry()
    assert [m.subject for m in mail.outbox] == ["Lost"]
    retry("--include-failed")
    assert sorted(m.subject for m in mail.outbox) == ["Failed", "Lost"]
    fresh.refresh_from_db()
    assert fresh.status == Delivery.Status.PENDING


def test_the_residents_address_is_never_logged(
    fly_tipping, mail_server, caplog, django_capture_on_commit_callbacks
):
    refused = smtplib.SMTPRecipientsRefused({ADDRESS: (550, b"5.1.1 No such user")})
    mail_server["failures"] = [refused] * 100
    with caplog.at_level(logging.DEBUG), django_capture_on_commit_callbacks(execute=True):
        case = submitted_case(fly_tipping)

    assert Delivery.objects.get(case=case).last_error == "SMTPRecipientsRefused"
    assert "not delivered" in caplog.text
    assert ADDRESS not in caplog.text


def test_an_email_being_sent_is_not_sent_again_by_a_second_task(council, mail_server):
    email = email_row(council, subject="S", status=Delivery.Status.SENDING)
    delivery_send(delivery_id=email.pk)
    assert mail_server["calls"] == 0
    email.refresh_from_db()
    assert email.status == Delivery.Status.SENDING


def test_an_email_stuck_sending_for_hours_is_retried(
    council, mail_server, django_capture_on_commit_callbacks
):
    import io
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    email = email_row(council, subject="Stuck", status=Delivery.Status.SENDING)
    Delivery.objects.filter(pk=email.pk).update(last_attempt_at=timezone.now() - timedelta(hours=8))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("emails_retry", stdout=io.StringIO())
    email.refresh_from_db()
    assert email.status == Delivery.Status.SENT
    assert [m.subject for m in mail.outbox] == ["Stuck"]
