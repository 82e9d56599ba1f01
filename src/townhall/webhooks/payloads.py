"""What a webhook says: the event types, and the JSON body for each, in the
shape `payload.schema.json` documents (a test checks every kind against it).

The body is built once, when the event is handed to the webhook subscriber,
and stored on the outbox row, so every attempt sends the same bytes. `case`
is the case as it stood then; `change` is what the event changed.
"""

from __future__ import annotations

import json
import uuid
from functools import cache
from pathlib import Path
from typing import Any

from django.urls import reverse

from townhall.cases.models import Case, CaseEvent
from townhall.tenancy.selectors import public_url_for

SCHEMA_VERSION = 1
SCHEMA_PATH = Path(__file__).with_name("payload.schema.json")

CASE_CREATED = "case.created"
CASE_UPDATED = "case.updated"
CASE_STATUS_CHANGED = "case.status_changed"
CASE_NOTE_ADDED = "case.note_added"
CASE_ASSIGNED = "case.assigned"
CONTACT_LOGGED = "contact.logged"
RESIDENT_DETAILS_CHANGED = "resident.details_changed"

# Every type an endpoint may ask for, in the order the back office lists them.
EVENT_TYPES = [
    CASE_CREATED,
    CASE_UPDATED,
    CASE_STATUS_CHANGED,
    CASE_NOTE_ADDED,
    CASE_ASSIGNED,
    CONTACT_LOGGED,
    RESIDENT_DETAILS_CHANGED,
]

# The webhook types each kind of case event is sent as: its own, and
# "case.updated" for any change after the case was made.
TYPES_FOR_KIND: dict[str, list[str]] = {
    CaseEvent.Kind.SUBMITTED: [CASE_CREATED],
    CaseEvent.Kind.STATUS_CHANGED: [CASE_STATUS_CHANGED, CASE_UPDATED],
    CaseEvent.Kind.NOTE: [CASE_NOTE_ADDED, CASE_UPDATED],
    CaseEvent.Kind.CONTACT_LOGGED: [CONTACT_LOGGED, CASE_UPDATED],
    CaseEvent.Kind.ASSIGNED: [CASE_ASSIGNED, CASE_UPDATED],
    # Not case.updated: the case did not change, and the message carries only
    # the resident's new details, not the case's answers.
    CaseEvent.Kind.DETAILS_CHANGED: [RESIDENT_DETAILS_CHANGED],
}

# Types whose message leaves the case's answers and summary out (sent empty):
# the change is about the resident, and needs no more of their data than it.
WITHOUT_ANSWERS = frozenset({RESIDENT_DETAILS_CHANGED})


@cache
def payload_schema() -> dict[str, Any]:
    """The JSON Schema every payload meets (draft 2020-12)."""
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


def _time(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def case_body(case: Case) -> dict[str, Any]:
    """The case as a webhook shows it."""
    version = case.service_version
    state = version.parsed.workflow.state(case.status)
    return {
        "reference": case.reference,
        "staff_url": public_url_for(case.organisation)
        + reverse("backoffice:case", args=[case.reference]),
        "service": {
            "slug": case.service.slug,
            "name": case.service.name,
            "version": version.number,
        },
        "status": case.status,
        "status_label": str(state.label),
        "is_open": case.is_open,
        "channel": case.channel,
        "language": case.language,
        "team": case.team.slug if case.team is not None else None,
        "summary": case.summary,
        "answers": case.answers,
        "area_codes": case.area_codes,
        "created_at": _time(case.created_at),
        "updated_at": _time(case.updated_at),
        "due_at": _time(case.due_at),
        "closed_at": _time(case.closed_at),
    }


def change_body(event: CaseEvent) -> dict[str, Any]:
    """What the event changed, by kind."""
    if event.kind == CaseEvent.Kind.STATUS_CHANGED:
        return {
            "from_status": event.from_status,
            "to_status": event.to_status,
            "public_message": event.public_message,
        }
    if event.kind == CaseEvent.Kind.NOTE:
        return {"note": event.internal_note}
    if event.kind == CaseEvent.Kind.CONTACT_LOGGED:
        return {
            "contact_id": event.payload.get("contact"),
            "channel": event.payload.get("channel", ""),
            "reason": event.payload.get("reason", ""),
            "note": event.internal_note,
        }
    if event.kind == CaseEvent.Kind.SUBMITTED:
        return {"to_status": event.to_status}
    if event.kind == CaseEvent.Kind.ASSIGNED:
        return {
            "team": event.payload.get("team_slug"),
            "from_team": event.payload.get("from_team_slug"),
        }
    if event.kind == CaseEvent.Kind.DETAILS_CHANGED:
        return {
            "fields": list(event.payload.get("fields", [])),
            "details": dict(event.payload.get("details", {})),
        }
    return {key: value for key, value in event.payload.items() if isinstance(key, str)}


def event_body(*, event: CaseEvent, event_type: str, case: dict[str, Any]) -> dict[str, Any]:
    """The whole body for one webhook type of one case event. `id` is new for
    each body and kept on every attempt: receivers drop a repeat by it."""
    return {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "schema_version": SCHEMA_VERSION,
        "created_at": _time(event.created_at),
        "organisation": {
            "slug": event.case.organisation.slug,
            "name": event.case.organisation.name,
        },
        "actor": _actor(event),
        "case": {**case, "answers": {}, "summary": ""} if event_type in WITHOUT_ANSWERS else case,
        "change": {"type": TYPES_FOR_KIND[event.kind][0], **change_body(event)},
    }


def _actor(event: CaseEvent) -> str:
    if event.actor_id:
        return "staff"
    resident_kinds = (CaseEvent.Kind.SUBMITTED, CaseEvent.Kind.DETAILS_CHANGED)
    return "resident" if event.kind in resident_kinds else "system"
