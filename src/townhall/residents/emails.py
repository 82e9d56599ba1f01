"""Emails about a resident's account (codes, confirmation links, password
resets), written from the notifications app's templates and sent through
the outbox of the council whose site the resident is on, as every other
email to residents is. A site with no council falls back to Django's email."""

from __future__ import annotations

from typing import Any

from django.core.mail import send_mail
from django.http import HttpRequest
from django.template.loader import render_to_string

from townhall.notifications.services import email_queue
from townhall.tenancy.selectors import current_site, site_organisations


def account_email_send(
    *, request: HttpRequest, to: str, template: str, context: dict[str, Any]
) -> None:
    """Send the `notifications/email/<template>/` email to `to`. The body may
    hold a code or link: nothing of it is logged."""
    organisations = site_organisations(request)
    site = current_site(request)
    values = {
        "site_name": site.name if site is not None else "Townhall",
        "council_name": organisations[0].name if organisations else "",
        **context,
    }
    subject = "".join(
        render_to_string(f"notifications/email/{template}/subject.txt", values).splitlines()
    )
    body = render_to_string(f"notifications/email/{template}/body.txt", values)
    if organisations:
        email_queue(organisation=organisations[0], to=to, subject=subject, body=body)
    else:
        send_mail(subject, body, None, [to])
