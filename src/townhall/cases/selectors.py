"""Reads about cases. Staff reads always go through an organisation."""

from __future__ import annotations

import hmac
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from townhall.cases import search as case_search
from townhall.cases.models import Case, CaseEvent, Contact
from townhall.cases.references import parse_reference
from townhall.catalogue.engine.types.phone import uk_phone_number
from townhall.notifications.models import Delivery
from townhall.places.postcodes import postcode_normalise
from townhall.tenancy.models import Organisation, Team


def case_for_tracking(
    *, reference: str, email: str = "", phone: str = "", postcode: str = ""
) -> Case | None:
    """The case with this reference whose contact details match, else None:
    every one of the email address, phone number and postcode given must be
    the case's (at least one must be given).

    A guessed reference alone reveals nothing; the answer is the same
    whether the reference or the detail was wrong.
    """
    parsed = parse_reference(reference)
    if parsed is None or not (email or phone or postcode):
        return None
    case = (
        Case.objects.filter(reference=parsed)
        .select_related("service_version", "organisation")
        .first()
    )
    if case is None:
        return None
    given = [
        (case.contact_email.lower(), email.strip().lower()),
        (case.contact_phone, (uk_phone_number(phone) or "-") if phone else ""),
        (case.contact_postcode, (postcode_normalise(postcode) or "-") if postcode else ""),
    ]
    for known, supplied in given:
        if supplied and not (known and hmac.compare_digest(known.encode(), supplied.encode())):
            return None
    return case


def public_timeline(case: Case) -> QuerySet[CaseEvent]:
    """What the resident may see: submission, status changes and public updates, never notes."""
    return case.events.filter(
        kind__in=[
            CaseEvent.Kind.SUBMITTED,
            CaseEvent.Kind.STATUS_CHANGED,
            CaseEvent.Kind.PUBLIC_UPDATE,
        ]
    ).only(
        # case: the related manager sets each event's case from its case_id, which
        # would otherwise be loaded with one query per event.
        "case",
        "kind",
        "to_status",
        "public_message",
        "created_at",
    )


def staff_queue(
    *, organisation: Organisation, team: Team | None = None, closed: bool = False
) -> QuerySet[Case]:
    """Open cases, oldest first (or closed ones, most recently closed first),
    optionally only one team's."""
    cases = Case.objects.for_organisation(organisation).filter(is_open=not closed)
    if team is not None:
        cases = cases.filter(team=team)
    return (
        cases.select_related("service", "team")
        .prefetch_related("service_version")  # one query for the few versions in a page
        .defer("answers")
        .order_by("-closed_at" if closed else "created_at")
    )


def staff_case(*, organisation: Organisation, reference: str) -> Case | None:
    """The council's case with this reference (typed in any case, with spaces),
    or None, also for text that cannot be a reference."""
    parsed = parse_reference(reference)
    if parsed is None:
        return None
    return (
        Case.objects.for_organisation(organisation)
        .filter(reference=parsed)
        .select_related(
            "service",
            "service_version",
            "organisation",
            "created_by",
            "team",
            "assignee",
            "merged_into",
        )
        .first()
    )


def status_label(case: Case, *, public: bool) -> str:
    state = case.service_version.parsed.workflow.state(case.status)
    return state.public_label if public else state.label


# Subscribers whose messages go to staff or other systems, not to the resident:
# the case sent to a team's mailbox, and staff told that the resident replied.
NOT_TO_RESIDENT = ("connectors.send_to", "residents.reply_to_staff")


def case_emails(case: Case) -> QuerySet[Delivery]:
    """The emails written to the resident about a case, oldest first: not
    those sending the case to a team's mailbox (the connectors' subscriber)."""
    return (
        case.deliveries.filter(channel=Delivery.Channel.EMAIL)
        .exclude(subscriber__in=NOT_TO_RESIDENT)
        .order_by("created_at", "pk")
    )


def case_messages(case: Case) -> QuerySet[Delivery]:
    """Every message written to the resident about a case (email, text,
    letter), oldest first: not webhooks, nor the case sent to a team's
    mailbox (the connectors' subscriber)."""
    return (
        case.deliveries.exclude(channel=Delivery.Channel.WEBHOOK)
        .exclude(subscriber__in=NOT_TO_RESIDENT)
        .order_by("created_at", "pk")
    )


def case_messages_held_up(case: Case) -> bool:
    """True when a change to the case has not yet been turned into the messages
    it calls for because a subscriber failed (it is being tried again)."""
    return case.events.filter(dispatched_at__isnull=True).exclude(dispatch_error="").exists()


def staff_contacts(
    *, organisation: Organisation, before: int | None = None, limit: int = 50
) -> list[Contact]:
    """The council's contacts, newest first, `limit` of them after the one
    whose id is `before` (keyset pagination: as fast on the last page as the
    first). An id that is not one of the council's contacts starts from the top."""
    contacts = Contact.objects.for_organisation(organisation).select_related(
        "service", "case", "recorded_by"
    )
    if before is not None:
        cursor = (
            Contact.objects.for_organisation(organisation)
            .filter(pk=before)
            .values_list("created_at", flat=True)
            .first()
        )
        if cursor is not None:
            contacts = contacts.filter(
                Q(created_at__lt=cursor) | Q(created_at=cursor, pk__lt=before)
            )
    return list(contacts.order_by("-created_at", "-pk")[:limit])


def contacts_for_export(
    *, organisation: Organisation, date_from: date | None = None, date_to: date | None = None
) -> QuerySet[Contact]:
    """The council's contacts made from the start of `date_from` to the end of
    `date_to` (local days; either may be None), oldest first, for a download."""
    contacts = Contact.objects.for_organisation(organisation)
    if date_from is not None:
        contacts = contacts.filter(created_at__gte=_local_midnight(date_from))
    if date_to is not None:
        contacts = contacts.filter(created_at__lt=_local_midnight(date_to + timedelta(days=1)))
    return contacts.select_related("service", "case", "recorded_by").order_by("created_at", "pk")


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


CALLER_LIMIT = 20


def caller_history(
    *, organisation: Organisation, typed: str
) -> tuple[case_search.Search | None, list[Case], list[Contact]]:
    """Find the caller first: the council's cases whose resident matches what
    an adviser typed (an email, phone number, postcode, name or words), newest
    first, and the contacts about those cases. Three queries at most."""
    search = case_search.understand(typed)
    if search is None:
        return None, [], []
    cases = list(
        case_search.apply(Case.objects.for_organisation(organisation), search)
        .select_related("service", "team")
        .prefetch_related("service_version")
        .defer("answers", "search_text")
        .order_by("-created_at", "-pk")[:CALLER_LIMIT]
    )
    contacts = (
        list(
            Contact.objects.for_organisation(organisation)
            .filter(case__in=cases)
            .select_related("case")
            .order_by("-created_at", "-pk")[: CALLER_LIMIT * 3]
        )
        if cases
        else []
    )
    return search, cases, contacts
