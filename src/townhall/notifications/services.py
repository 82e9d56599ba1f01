"""Sending messages to residents."""

from __future__ import annotations

import logging
from datetime import timedelta
from email.utils import formataddr
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from townhall.notifications.models import Email
from townhall.tenancy.models import Organisation

if TYPE_CHECKING:
    from townhall.cases.models import Case

logger = logging.getLogger(__name__)


# Attempts before an email is given up: with the task backoff (30s doubling to
# at most 6h) the last comes about two and a half days after the first.
MAX_ATTEMPTS = 20


class EmailNotDelivered(Exception):
    """Delivery failed; the message names the error's type and nothing else."""


def email_queue(
    *, organisation: Organisation, to: str, subject: str, body: str, case: Case | None = None
) -> Email:
    """Record an email in the outbox and deliver it once the current transaction
    commits, so nothing is sent about a change that rolled back."""
    from townhall.notifications.tasks import deliver_email

    email = Email.objects.create(
        organisation=organisation, case=case, to=to, subject=subject, body=body
    )
    transaction.on_commit(lambda: deliver_email.enqueue(email.pk))
    return email


def email_deliver(*, email_id: int) -> None:
    """Send one outbox email unless it is sent or being sent. Raises on failure
    so the task is retried; the resident's address is never logged.

    The row is claimed (status "sending") in one UPDATE before anything is sent,
    so two tasks for the same email (a retry queued while the worker was down)
    never both send it.
    """
    claimed = (
        Email.objects.filter(pk=email_id)
        .exclude(status__in=[Email.Status.SENT, Email.Status.SENDING])
        .update(
            status=Email.Status.SENDING, attempts=F("attempts") + 1, last_attempt_at=timezone.now()
        )
    )
    if not claimed:
        return
    email = Email.objects.select_related("organisation").get(pk=email_id)
    try:
        sender = email.organisation.contact_email or settings.DEFAULT_FROM_EMAIL
        # formataddr quotes the council's name: a comma in it would make two addresses.
        from_email = sender if "<" in sender else formataddr((email.organisation.name, sender))
        EmailMessage(email.subject, email.body, from_email, [email.to]).send()
    except Exception as error:
        gave_up = email.attempts >= MAX_ATTEMPTS
        Email.objects.filter(pk=email.pk).update(
            status=Email.Status.FAILED if gave_up else Email.Status.RETRYING,
            last_error=type(error).__name__[:200],
        )
        logger.warning("email %s not delivered (attempt %d)", email.pk, email.attempts)
        # Raised afresh, without the original: its text can hold the resident's
        # address (SMTPRecipientsRefused's does), and task backends log tracebacks.
        raise EmailNotDelivered(f"email {email.pk}: {type(error).__name__}") from None
    Email.objects.filter(pk=email.pk).update(
        status=Email.Status.SENT, sent_at=timezone.now(), last_error=""
    )


def emails_to_retry(*, include_failed: bool = False) -> list[Email]:
    """Emails whose delivery task was lost (the process stopped before enqueueing,
    a worker was killed mid-send): unsent, and untouched for longer than the
    longest backoff. With `include_failed`, also those given up on."""
    now = timezone.now()
    # "sending" for hours means the worker stopped mid-send: whether the mail
    # server took it is unknown, so it is tried again (a rare duplicate beats
    # a lost message).
    statuses = [Email.Status.PENDING, Email.Status.RETRYING, Email.Status.SENDING]
    if include_failed:
        statuses.append(Email.Status.FAILED)
    stale = now - timedelta(hours=7)
    return list(
        Email.objects.filter(status__in=statuses)
        .filter(
            Q(last_attempt_at__lt=stale)
            | Q(last_attempt_at__isnull=True, created_at__lt=now - timedelta(minutes=15))
            | Q(status=Email.Status.FAILED)
        )
        .only("pk", "status")
    )


def email_retry(*, email: Email) -> None:
    """Deliver an outbox email again, from a fresh count of attempts."""
    from townhall.notifications.tasks import deliver_email

    Email.objects.filter(pk=email.pk).update(attempts=0, status=Email.Status.PENDING)
    transaction.on_commit(lambda: deliver_email.enqueue(email.pk))
