"""Writes for contacts: every time a resident gets in touch, by any channel.

A submission (web, API or recorded by staff) writes its contact with its case
in `services.case_open`; staff log any other contact with `contact_log`. A
contact about a case also goes on that case's timeline (a "contact_logged"
event)."""

from __future__ import annotations

from django.db import transaction

from townhall.accounts.models import User
from townhall.cases.events import event_record
from townhall.cases.models import TIMED_CHANNELS, Case, CaseEvent, Channel, Contact
from townhall.catalogue.models import Service
from townhall.tenancy.models import Organisation


class ContactRefused(Exception):
    """The contact does not make sense as given (a programming error in the
    caller: forms check these first)."""


def contact_for_case(*, case: Case, actor: User | None, client: str = "") -> Contact:
    """The contact that opened `case`: a new request, by the case's channel,
    recorded by `actor` (staff recording it; None for the resident online or a
    machine front end), sent by the integration `client` (its API key's name)
    if one did. Call it inside the transaction that opens the case."""
    contact = contact_row(case=case, actor=actor, client=client)
    contact.save(force_insert=True)
    return contact


def contact_row(*, case: Case, actor: User | None, client: str = "") -> Contact:
    """The contact `contact_for_case` writes, unsaved, for a caller that
    writes it with the case's own rows."""
    return Contact(
        organisation_id=case.organisation_id,
        channel=case.channel,
        service_id=case.service_id,
        case=case,
        reason=Contact.Reason.NEW_REQUEST,
        outcome=Contact.Outcome.CASE_OPENED,
        client=client,
        recorded_by=actor,
    )


def contact_log(
    *,
    organisation: Organisation,
    channel: str,
    reason: str,
    outcome: str,
    actor: User,
    service: Service | None = None,
    case: Case | None = None,
    avoidable: bool | None = None,
    duration_minutes: int | None = None,
    note: str = "",
) -> Contact:
    """Record a contact a member of staff handled, with or without a case.

    `service` and `case` must be the organisation's own. A duration is kept
    only for phone and face to face. A contact about a case is also recorded
    on its timeline (the note staff only). Raises ContactRefused for a
    channel, reason or outcome that does not exist, or another council's
    service or case."""
    if channel not in Channel.values:
        raise ContactRefused(f"unknown channel {channel!r}")
    if reason not in Contact.Reason.values or outcome not in Contact.Outcome.values:
        raise ContactRefused("unknown reason or outcome")
    for thing in (service, case):
        if thing is not None and thing.organisation_id != organisation.pk:
            raise ContactRefused("the service or case belongs to another council")
    if duration_minutes is not None and duration_minutes < 0:
        raise ContactRefused("a duration cannot be negative")
    with transaction.atomic():
        contact = Contact.objects.create(
            organisation=organisation,
            channel=channel,
            service=service if service is not None else (case.service if case else None),
            case=case,
            reason=reason,
            outcome=outcome,
            avoidable=avoidable,
            duration_minutes=duration_minutes if channel in TIMED_CHANNELS else None,
            note=note,
            recorded_by=actor,
        )
        if case is not None:
            event_record(
                case=case,
                kind=CaseEvent.Kind.CONTACT_LOGGED,
                actor=actor,
                internal_note=note,
                payload={"contact": contact.pk, "channel": channel, "reason": reason},
            )
    return contact
