"""Reads for "My requests": a signed-in resident's cases, drafts and files.

Every read starts from the resident (`Case.resident`, `Draft.resident`), so
a reference, draft id or file id that is not theirs finds nothing, exactly
as one that does not exist. Staff signed in here see only their own
requests as a resident: these reads never look at a council membership.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from townhall.accounts.models import User
from townhall.cases.models import Attachment, Case, CaseEvent, Draft
from townhall.cases.references import parse_reference
from townhall.cases.selectors import case_messages
from townhall.catalogue.engine.definition import State
from townhall.notifications.models import Delivery

PAGE_SIZE = 20

# What the resident sees of their case's timeline: what /track/ shows, and
# their own replies.
RESIDENT_KINDS = (
    CaseEvent.Kind.SUBMITTED,
    CaseEvent.Kind.STATUS_CHANGED,
    CaseEvent.Kind.PUBLIC_UPDATE,
    CaseEvent.Kind.RESIDENT_REPLIED,
)


@dataclass(frozen=True)
class RequestLine:
    """One of the resident's requests as the list shows it."""

    case: Case
    status: str  # the state's public label


def my_requests(user: User) -> QuerySet[Case]:
    """The resident's cases, newest first, whatever the channel or council."""
    return Case.objects.filter(resident=user).order_by("-created_at", "-pk")


def my_requests_page(user: User, number: str | int | None) -> tuple[Page[Case], list[RequestLine]]:
    """One page of the resident's requests with each one's public status. A
    page number that is not a number, or past the end, gives the first or
    last page. Three queries: the count, the page, its service versions."""
    cases = (
        my_requests(user)
        .select_related("service", "organisation")
        .prefetch_related("service_version")
        .defer("answers", "search_text")
    )
    page = Paginator(cases, PAGE_SIZE).get_page(number)
    lines = [RequestLine(case=case, status=public_state(case).public_label) for case in page]
    return page, lines


def my_request(user: User, reference: str) -> Case | None:
    """The resident's case with this reference (typed in any case, with
    spaces), or None: also for another person's case or text that cannot be
    a reference."""
    parsed = parse_reference(reference)
    if parsed is None:
        return None
    return (
        my_requests(user)
        .filter(reference=parsed)
        .select_related("service", "service_version", "organisation")
        .first()
    )


def public_state(case: Case) -> State:
    return case.service_version.parsed.workflow.state(case.status)


def request_timeline(case: Case) -> list[tuple[CaseEvent, str]]:
    """The events the resident may see, oldest first, each with the public
    label of the status it moved to (never internal notes)."""
    workflow = case.service_version.parsed.workflow
    events = case.events.filter(kind__in=RESIDENT_KINDS).only(
        "case", "kind", "to_status", "public_message", "payload", "created_at"
    )
    labelled = []
    for event in events:
        label = ""
        if event.to_status:
            try:
                label = workflow.state(event.to_status).public_label
            except KeyError:  # a state of an older version of the service
                label = event.to_status
        labelled.append((event, label))
    return labelled


def request_messages(case: Case) -> list[Delivery]:
    """The messages the council sent the resident about the case."""
    return list(case_messages(case).only("channel", "subject", "body", "status", "created_at"))


def request_files(case: Case) -> list[Attachment]:
    return list(case.attachments.from_resident().order_by("created_at", "pk"))


def my_attachment(user: User, reference: str, attachment_id: UUID) -> Attachment | None:
    """A file of one of the resident's cases, or None for anyone else's."""
    case = my_request(user, reference)
    if case is None:
        return None
    return case.attachments.from_resident().filter(pk=attachment_id).first()


def my_drafts(user: User) -> list[Draft]:
    """The resident's unsent applications, most recently changed first."""
    return list(
        Draft.objects.filter(resident=user, case__isnull=True)
        .select_related("service_version__service")
        .defer("answers")
        .order_by("-updated_at", "-pk")
    )


def my_draft(user: User, draft_id: UUID) -> Draft | None:
    return (
        Draft.objects.filter(resident=user, case__isnull=True, pk=draft_id)
        .select_related("service_version__service")
        .first()
    )
