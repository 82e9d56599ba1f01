"""A case's timeline through the API: what happened to it, moving it to
another status of its workflow, and internal notes. Changes are recorded as
made by the key's integration (its name), not by a member of staff."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from townhall.cases.models import CaseEvent
from townhall.cases.services import TransitionRefused, case_add_note, case_transition
from townhall.integrations.api.auth import caller, council
from townhall.integrations.api.cases import CaseOut, case_for, case_out
from townhall.integrations.api.errors import COMMON_ERRORS, ApiError, ErrorOut
from townhall.integrations.api.idempotent import run_once
from townhall.integrations.api.inputs import Message, Note, StatusId
from townhall.integrations.idempotency import Outcome
from townhall.integrations.models import ApiKey

router = Router(tags=["cases"])


class EventOut(Schema):
    id: int
    kind: str
    from_status: str
    to_status: str
    public_message: str = Field(description="What the resident was told.")
    internal_note: str
    by_staff: bool = Field(
        description="Made by a member of staff (else by the system or a client)."
    )
    client: str = Field(description="The integration that made it, if one did.")
    created_at: datetime


class EventList(Schema):
    results: list[EventOut]
    next_cursor: str | None = None


class TransitionIn(Schema):
    status: StatusId = Field(..., description="One of the statuses the current one can move to.")
    public_message: Message = Field("", description="Told to the resident with the change.")
    internal_note: Message = Field("", description="For staff only.")


class NoteIn(Schema):
    note: Note = Field(..., description="An internal note: staff see it, the resident never does.")


def event_out(event: CaseEvent) -> dict[str, Any]:
    client = event.payload.get("client", "") if isinstance(event.payload, dict) else ""
    return {
        "id": event.pk,
        "kind": event.kind,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "public_message": event.public_message,
        "internal_note": event.internal_note,
        "by_staff": event.actor_id is not None,
        "client": client if isinstance(client, str) else "",
        "created_at": event.created_at,
    }


@router.get("/cases/{reference}/events", response={200: EventList, 404: ErrorOut, **COMMON_ERRORS})
def case_events(request: HttpRequest, reference: str) -> dict[str, Any]:
    """Everything that happened to the case, oldest first, notes included."""
    case = case_for(council(request), reference)
    events = case.events.order_by("created_at", "pk")
    return {"results": [event_out(e) for e in events], "next_cursor": None}


@router.post(
    "/cases/{reference}/transitions", response={200: CaseOut, 404: ErrorOut, **COMMON_ERRORS}
)
def case_transition_view(
    request: HttpRequest, response: HttpResponse, reference: str, payload: TransitionIn
) -> Status:
    """Move the case to another status, if its workflow allows; the resident
    is told as the workflow says. Send an `Idempotency-Key` to retry safely."""
    api_key = caller(request, ApiKey.Scope.WRITE)
    case = case_for(api_key.organisation, reference)

    def move() -> Outcome:
        try:
            moved = case_transition(
                case=case,
                to_status=payload.status,
                actor=None,
                client=api_key.name,
                public_message=payload.public_message,
                internal_note=payload.internal_note,
            )
        except TransitionRefused as refusal:
            raise ApiError(422, "transition_refused", str(refusal), "status") from refusal
        fresh = case_for(api_key.organisation, moved.reference)
        return Outcome(200, CaseOut(**case_out(fresh)).model_dump(mode="json"))

    return run_once(request, response, api_key=api_key, operation=move)


@router.post("/cases/{reference}/notes", response={201: EventOut, 404: ErrorOut, **COMMON_ERRORS})
def case_note(
    request: HttpRequest, response: HttpResponse, reference: str, payload: NoteIn
) -> Status:
    """Add an internal note to the case's timeline."""
    api_key = caller(request, ApiKey.Scope.WRITE)
    case = case_for(api_key.organisation, reference)

    def add() -> Outcome:
        event = case_add_note(case=case, note=payload.note, client=api_key.name)
        return Outcome(201, EventOut(**event_out(event)).model_dump(mode="json"))

    return run_once(request, response, api_key=api_key, operation=add)
