"""Email through Django's email backend: SMTP in production, files in the demo,
memory in tests (whatever `EMAIL_BACKEND` says)."""

from __future__ import annotations

from email.utils import formataddr, parseaddr
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import DNS_NAME, EmailMessage

from townhall.notifications.providers import Provider, provider_register

if TYPE_CHECKING:
    from townhall.notifications.models import Delivery


def message_id(delivery: Delivery, sender: str) -> str:
    """The row's Message-ID: the same on every attempt, so a message sent twice
    (an attempt cut off after the mail server took it) is recognisably one
    message to the mail systems and programs that look."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or str(DNS_NAME)
    return f"<{delivery.reference}@{domain}>"


class DjangoEmailProvider(Provider):
    name = "email"
    channel = "email"
    # SMTP has no way to ask whether a message was taken: a retry after an
    # interrupted attempt can repeat it (with the same Message-ID).
    idempotent_retry = False

    def send(self, delivery: Delivery) -> str:
        organisation = delivery.organisation
        sender = organisation.contact_email or settings.DEFAULT_FROM_EMAIL
        # formataddr quotes the council's name: a comma in it would make two addresses.
        from_email = sender if "<" in sender else formataddr((organisation.name, sender))
        identity = message_id(delivery, sender)
        headers = {"Message-ID": identity}
        if stop_url := delivery.payload.get("stop_url"):
            # One-click unsubscribe (RFC 8058): mail programs offer it beside the sender.
            headers["List-Unsubscribe"] = f"<{stop_url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        EmailMessage(
            delivery.subject,
            delivery.body,
            from_email,
            [delivery.recipient],
            headers=headers,
        ).send()
        return identity


provider_register(DjangoEmailProvider(), default=True)
