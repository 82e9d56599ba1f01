"""Telling staff that a resident replied: a subscriber to `resident_replied`
events that emails whoever has the case (its assignee; else the members of
its team; else the council's contact address) with a link to the case page.
The email names the case, never what the resident wrote: that stays on the
case page, behind staff sign-in."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from townhall.cases.events import subscriber_register
from townhall.cases.models import Case, CaseEvent
from townhall.notifications.models import Delivery
from townhall.notifications.services import Outgoing
from townhall.tenancy.models import Membership
from townhall.tenancy.selectors import public_url_for

SUBSCRIBER = "residents.reply_to_staff"  # cases.selectors.NOT_TO_RESIDENT names it too
MAX_RECIPIENTS = 20


def staff_to_tell(case: Case) -> list[str]:
    """The addresses of whoever is handling `case`, of its own council only."""
    assignee = case.assignee if case.assignee_id is not None else None
    if (
        assignee is not None
        and assignee.email
        and Membership.objects.filter(user=assignee, organisation=case.organisation).exists()
    ):
        return [assignee.email]
    if case.team_id is not None:
        members = (
            Membership.objects.filter(organisation=case.organisation, teams=case.team)
            .exclude(user__email="")
            .order_by("user__email")
            .values_list("user__email", flat=True)[:MAX_RECIPIENTS]
        )
        if emails := list(dict.fromkeys(members)):
            return emails
    return [case.organisation.contact_email] if case.organisation.contact_email else []


def reply_to_staff(event: CaseEvent) -> list[Outgoing]:
    """An email to each of `staff_to_tell`, in the site's language, naming the
    case and linking to its page (none if the council has no one to tell)."""
    case = Case.objects.select_related("organisation", "assignee", "team").get(pk=event.case_id)
    link = public_url_for(case.organisation) + reverse(
        "backoffice:case", kwargs={"reference": case.reference}
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("The resident replied: %(reference)s") % {"reference": case.reference}
        body = _(
            "The resident has replied to case %(reference)s. Read the reply on the case page:\n\n"
            "%(link)s"
        ) % {"reference": case.reference, "link": link}
    return [
        Outgoing(channel=Delivery.Channel.EMAIL, recipient=to, subject=subject, body=body)
        for to in staff_to_tell(case)
    ]


def register() -> None:
    """Subscribe `reply_to_staff` to replies (from ResidentsConfig.ready)."""
    subscriber_register(
        name=SUBSCRIBER, kinds=[CaseEvent.Kind.RESIDENT_REPLIED], func=reply_to_staff
    )
