"""How a resident hears about their case, and stopping it.

A resident (or staff recording a phone call) chooses email, text message or
letter, or no updates (`case_updates_choose`); every message about the case
carries a signed link that stops them in one click (`case_updates_stop`).
The link holds the case's id and a signature, nothing about the person.
Each choice is an event on the case, so the timeline shows it and its
subscriber confirms the new way by that way (`cases.notify`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from townhall.accounts.models import User
from townhall.cases.events import event_record
from townhall.cases.models import Case, CaseEvent, UpdatesBy
from townhall.catalogue.engine.types.phone import uk_phone_number
from townhall.notifications.providers import provider_available
from townhall.places.postcodes import postcode_normalise
from townhall.tenancy.selectors import public_url_for

STOP_SALT = "townhall.cases.updates-stop"


class UpdatesRefused(Exception):
    """The choice cannot be used as given; the message says what to put right."""


@dataclass(frozen=True)
class Route:
    """Where a message about a case goes: a channel and its recipient."""

    channel: str
    recipient: str


def mobile_number(text: str) -> str | None:
    """A UK mobile number in its national form (07700900982), or None."""
    number = uk_phone_number(text)
    return number if number and number.startswith("07") else None


def updates_offered(case: Case) -> list[str]:
    """The ways this council can send updates about `case` (email always,
    text messages and letters where it has a provider for them)."""
    return [
        choice
        for choice in (UpdatesBy.EMAIL, UpdatesBy.SMS, UpdatesBy.LETTER)
        if provider_available(choice, case.organisation)
    ]


def case_updates_choose(
    *,
    case: Case,
    updates_by: str,
    actor: User | None,
    email: str = "",
    phone: str = "",
    address: str = "",
    postcode: str = "",
    confirm: bool = True,
) -> Case:
    """Record how the resident wants to hear about `case`, with the details
    that way needs (a mobile number for texts; an address and postcode for
    letters; an email address, unless the case has one), and an event whose
    subscriber confirms it that way (unless not `confirm`: the caller sends
    something itself). Raises UpdatesRefused, naming what is missing."""
    if updates_by not in UpdatesBy.values:
        raise UpdatesRefused(_("Choose how to get updates"))
    if updates_by != UpdatesBy.NONE and updates_by not in updates_offered(case):
        raise UpdatesRefused(_("The council cannot send updates that way"))
    fields: dict[str, object] = {"updates_by": updates_by, "updates_stopped_at": None}
    if updates_by == UpdatesBy.EMAIL:
        if email:
            fields["contact_email"] = email.strip()
        elif not case.contact_email:
            raise UpdatesRefused(_("Enter an email address"))
    elif updates_by == UpdatesBy.SMS:
        number = mobile_number(phone) if phone else (case.contact_phone or None)
        if not number:
            raise UpdatesRefused(
                _("Enter a UK mobile phone number, like 07700 900 982")
                if phone
                else _("Enter a mobile phone number")
            )
        fields["contact_phone"] = number
    elif updates_by == UpdatesBy.LETTER:
        normalised = postcode_normalise(postcode) if postcode else None
        if not address.strip():
            raise UpdatesRefused(_("Enter the address to send letters to"))
        if normalised is None:
            raise UpdatesRefused(_("Enter a real postcode, like SW1A 1AA"))
        fields["contact_address"] = address.strip()
        fields["contact_postcode"] = normalised
    if phone and "contact_phone" not in fields:
        # A number given for tracking or a call back, even if updates go another way.
        number = uk_phone_number(phone)
        if number is None:
            raise UpdatesRefused(_("Enter a UK phone number, like 01632 960 001"))
        fields["contact_phone"] = number
    effective = case.updates_by or UpdatesBy.EMAIL
    unchanged = effective == updates_by and case.updates_stopped_at is None
    if unchanged and all(
        getattr(case, name) == value
        for name, value in fields.items()
        if name not in ("updates_by", "updates_stopped_at")
    ):
        return case  # nothing new to record or confirm
    with transaction.atomic():
        Case.objects.filter(pk=case.pk).update(**fields)
        for name, value in fields.items():
            setattr(case, name, value)
        event_record(
            case=case,
            kind=CaseEvent.Kind.UPDATES_CHOSEN,
            actor=actor,
            payload={"updates_by": updates_by, "confirm": confirm},
        )
    return case


def case_updates_stop(*, case: Case) -> bool:
    """Stop all updates about `case` (the resident followed the link in a
    message). Returns False when they were already stopped."""
    with transaction.atomic():
        stopped = Case.objects.filter(pk=case.pk, updates_stopped_at__isnull=True).update(
            updates_stopped_at=timezone.now()
        )
        if stopped:
            event_record(
                case=case,
                kind=CaseEvent.Kind.UPDATES_CHOSEN,
                actor=None,
                payload={"updates_by": UpdatesBy.NONE, "stopped": True},
            )
    return bool(stopped)


def updates_stop_token(case: Case) -> str:
    """The signed part of the stop link: the case's id and a signature."""
    return signing.Signer(salt=STOP_SALT).sign(str(case.pk))


def updates_stop_url(case: Case) -> str:
    """The full link that stops updates about `case`."""
    path = reverse("web:updates-stop", kwargs={"token": updates_stop_token(case)})
    return f"{public_url_for(case.organisation)}{path}"


def case_for_stop_token(token: str) -> Case | None:
    """The case a stop link names, or None for a link that was altered."""
    try:
        case_id = signing.Signer(salt=STOP_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return Case.objects.select_related("organisation").filter(pk=case_id).first()


def updates_route(case: Case) -> Route | None:
    """Where updates about `case` go now: the way the resident chose, if the
    case has the details for it and the council can still send it that way;
    else by email if there is an address; else nowhere. None once stopped."""
    if case.updates_stopped_at is not None or case.updates_by == UpdatesBy.NONE:
        return None
    recipients: dict[str, str] = {
        UpdatesBy.EMAIL: case.contact_email,
        UpdatesBy.SMS: case.contact_phone,
        UpdatesBy.LETTER: letter_recipient(case),
    }
    chosen = case.updates_by or UpdatesBy.EMAIL
    for channel in (chosen, UpdatesBy.EMAIL):
        recipient = recipients.get(channel)
        if recipient and provider_available(channel, case.organisation):
            return Route(channel=channel, recipient=recipient)
    return None


def letter_recipient(case: Case) -> str:
    """The case's postal address with its postcode as the last line ("" if none)."""
    address = case.contact_address.strip()
    if not address:
        return ""
    if case.contact_postcode and case.contact_postcode.replace(" ", "").upper() not in (
        address.replace(" ", "").upper()
    ):
        address = f"{address}\n{case.contact_postcode}"
    return address
