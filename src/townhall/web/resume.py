"""Save and return: a signed, expiring link to a resident's saved answers.

The link carries only the draft's random id, signed so it cannot be forged
or altered; it expires after RESUME_DAYS, and stops working once the answers
are sent.
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from townhall.cases.models import Draft
from townhall.catalogue.models import Service
from townhall.notifications.services import email_queue

RESUME_DAYS = 7
# Links one client may have sent in EMAIL_WINDOW: a resident needs one or two;
# the limit stops the form being used to send the council's emails to anyone.
EMAILS_PER_CLIENT = 5
EMAIL_WINDOW = timedelta(hours=1)
_SALT = "townhall.web.resume"


def resume_token(draft: Draft) -> str:
    return signing.TimestampSigner(salt=_SALT).sign(str(draft.pk))


def draft_for_token(*, service: Service, token: str) -> Draft:
    """The unsubmitted draft a token names. Raises SignatureExpired, BadSignature
    or Draft.DoesNotExist."""
    draft_id = signing.TimestampSigner(salt=_SALT).unsign(token, max_age=RESUME_DAYS * 86400)
    return Draft.objects.select_related("service_version").get(
        pk=draft_id, case__isnull=True, service_version__service=service
    )


def send_resume_link(*, request: HttpRequest, service: Service, draft: Draft, email: str) -> None:
    link = request.build_absolute_uri(
        reverse("web:resume", args=[service.slug, resume_token(draft)])
    )
    values = {
        "service": draft.service_version.parsed.name,
        "council": service.organisation.name,
        "days": RESUME_DAYS,
        "link": link,
    }
    # In the language the resident is using now, like the page that sent it.
    email_queue(
        organisation=service.organisation,
        to=email,
        subject=_("%(service)s: continue your application") % values,
        body=ngettext(
            "You saved your answers to '%(service)s' with %(council)s.\n\n"
            "To carry on where you left off, use this link within %(days)d day:\n\n"
            "%(link)s\n\n"
            "Anyone with this link can see your answers, so do not share it. "
            "If you did not ask for this email, you can ignore it.",
            "You saved your answers to '%(service)s' with %(council)s.\n\n"
            "To carry on where you left off, use this link within %(days)d days:\n\n"
            "%(link)s\n\n"
            "Anyone with this link can see your answers, so do not share it. "
            "If you did not ask for this email, you can ignore it.",
            RESUME_DAYS,
        )
        % values,
    )
