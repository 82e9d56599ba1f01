"""Contacts: each time a resident got in touch, by any channel, with what
it was about and how it ended (what channel-shift figures count)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from townhall.cases.models import Channel, Contact
from townhall.integrations.api.auth import council
from townhall.integrations.api.errors import COMMON_ERRORS, ErrorOut, not_found
from townhall.integrations.api.inputs import Id, Time
from townhall.integrations.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, newest_first
from townhall.tenancy.models import Organisation

router = Router(tags=["contacts"])


class ContactOut(Schema):
    id: int
    channel: str
    reason: str
    outcome: str
    service: str | None
    case: str | None = Field(description="The reference of the case it made or concerned.")
    avoidable: bool | None
    duration_minutes: int | None
    note: str
    client: str = Field(description="The integration that sent it, for the API channel.")
    created_at: datetime


class ContactList(Schema):
    results: list[ContactOut]
    next_cursor: str | None = None


class ContactFilters(Schema):
    channel: Channel | None = Field(None, description="Only contacts by this channel.")
    created_after: Time | None = Field(None, description="At or after this time.")
    created_before: Time | None = Field(None, description="Before this time.")
    cursor: str | None = Field(None, description="`next_cursor` of the page before.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


def contact_out(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "channel": contact.channel,
        "reason": contact.reason,
        "outcome": contact.outcome,
        "service": contact.service.slug if contact.service else None,
        "case": contact.case.reference if contact.case else None,
        "avoidable": contact.avoidable,
        "duration_minutes": contact.duration_minutes,
        "note": contact.note,
        "client": contact.client,
        "created_at": contact.created_at,
    }


def _contacts(organisation: Organisation) -> QuerySet[Contact]:
    return (
        Contact.objects.for_organisation(organisation)
        .select_related("service", "case")
        .only(
            *(f.name for f in Contact._meta.concrete_fields if f.name != "recorded_by"),
            "service__slug",
            "case__reference",
        )
    )


@router.get("/contacts", response={200: ContactList, **COMMON_ERRORS})
def contact_list(request: HttpRequest, filters: Query[ContactFilters]) -> dict[str, Any]:
    """The council's contacts, newest first, a page at a time."""
    contacts = _contacts(council(request))
    if filters.channel is not None:
        contacts = contacts.filter(channel=filters.channel)
    if filters.created_after is not None:
        contacts = contacts.filter(created_at__gte=filters.created_after)
    if filters.created_before is not None:
        contacts = contacts.filter(created_at__lt=filters.created_before)
    page, next_cursor = newest_first(contacts, cursor=filters.cursor, limit=filters.limit)
    return {"results": [contact_out(c) for c in page], "next_cursor": next_cursor}


@router.get("/contacts/{contact_id}", response={200: ContactOut, 404: ErrorOut, **COMMON_ERRORS})
def contact_detail(request: HttpRequest, contact_id: Path[Id]) -> dict[str, Any]:
    """One of the council's contacts."""
    contact = _contacts(council(request)).filter(pk=contact_id).first()
    if contact is None:
        raise not_found(_("This council has no such contact."))
    return contact_out(contact)
