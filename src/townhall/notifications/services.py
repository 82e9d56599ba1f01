"""Sending messages to residents."""

from __future__ import annotations

import logging
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from townhall.notifications.models import Email
from townhall.tenancy.models import Organisation

logger = logging.getLogger(__name__)


class EmailNotDelivered(Exception):
    """Delivery failed; the message names the error's type and nothing else."""


def email_queue(
    *, organisation: Organisation, to: str, subject: str, body: str, case: object | None = None
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
    """Send one outbox email if it is still pending. Raises on failure so the
    task is retried; the resident's address is never logged."""
    with transaction.atomic():
        email = Email.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.status == Email.Status.SENT:
            return
        email.attempts += 1
        email.save(update_fields=["attempts"])
    try:
        sender = email.organisation.contact_email or settings.DEFAULT_FROM_EMAIL
        # formataddr quotes the council's name: a comma in it would make two addresses.
        from_email = sender if "<" in sender else formataddr((email.organisation.name, sender))
        EmailMessage(email.subject, email.body, from_email, [email.to]).send()
    except Exception as error:
        Email.objects.filter(pk=email.pk).update(
            status=Email.Status.FAILED, last_error=type(error).__name__[:200]
        )
        logger.warning("email %s not delivered (attempt %d)", email.pk, email.attempts)
        # Raised afresh, without the original: its text can hold the resident's
        # address (SMTPRecipientsRefused's does), and task backends log tracebacks.
        raise EmailNotDelivered(f"email {email.pk}: {type(error).__name__}") from None
    Email.objects.filter(pk=email.pk).update(
        status=Email.Status.SENT, sent_at=timezone.now(), last_error=""
    )
