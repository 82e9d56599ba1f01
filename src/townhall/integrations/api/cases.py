"""Cases: create one from a whole answers document (the journey service's
`case_create`, exactly the web journey's rules), read them, list them with
filters, move them through their workflow and add notes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictBool

from townhall.cases.journey import AnswersRefused, JourneyUnavailable, case_create
from townhall.cases.models import Case, Channel
from townhall.cases.references import parse_reference
from townhall.cases.uploads import Uploads
from townhall.catalogue.models import Service
from townhall.core import memo
from townhall.integrations.api.auth import caller, council
from townhall.integrations.api.errors import COMMON_ERRORS, ApiError, ErrorOut, Problem, not_found
from townhall.integrations.api.idempotent import run_once
from townhall.integrations.api.inputs import Slug, StatusId, Time, refuse_nul
from townhall.integrations.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, newest_first
from townhall.integrations.idempotency import Outcome
from townhall.integrations.models import ApiKey
from townhall.tenancy.models import Organisation

router = Router(tags=["cases"])


class CaseOut(Schema):
    reference: str
    service: str
    status: str
    status_label: str
    is_open: bool
    channel: str
    language: str
    summary: str
    answers: dict[str, Any]
    area_codes: list[str]
    team: str | None
    due_at: datetime | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class CaseList(Schema):
    results: list[CaseOut]
    next_cursor: str | None = None


class CaseIn(Schema):
    service: Slug = Field(..., description="The service's slug.")
    answers: dict[str, Any] = Field(
        ..., description="Answers by question id, as JSON (see the service's questions)."
    )
    declaration: StrictBool | None = Field(
        None, description="`true` when the service has a declaration and the resident agreed."
    )


class CaseFilters(Schema):
    service: Slug | None = Field(None, description="Only this service's cases (its slug).")
    status: StatusId | None = Field(None, description="Only cases with this status id.")
    open: bool | None = Field(None, description="Only open (`true`) or closed (`false`) cases.")
    created_after: Time | None = Field(None, description="Created at or after this time.")
    created_before: Time | None = Field(None, description="Created before this time.")
    cursor: str | None = Field(None, description="`next_cursor` of the page before.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


def case_out(case: Case) -> dict[str, Any]:
    """A case as the API shows it (its service, version and team loaded)."""
    state = case.service_version.parsed.workflow.state(case.status)
    return {
        "reference": case.reference,
        "service": case.service.slug,
        "status": case.status,
        "status_label": state.label,
        "is_open": case.is_open,
        "channel": case.channel,
        "language": case.language,
        "summary": case.summary,
        "answers": case.answers,
        "area_codes": case.area_codes,
        "team": case.team.slug if case.team else None,
        "due_at": case.due_at,
        "closed_at": case.closed_at,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
    }


def _cases(organisation: Organisation) -> QuerySet[Case]:
    return Case.objects.for_organisation(organisation).select_related(
        "service", "service_version", "team"
    )


def case_for(organisation: Organisation, reference: str) -> Case:
    """The council's case `reference` (404 for any other, or for text that is no reference)."""
    parsed = parse_reference(reference)
    case = _cases(organisation).filter(reference=parsed).first() if parsed else None
    if case is None:
        raise not_found(_("This council has no such case."))
    return case


@router.get("/cases", response={200: CaseList, **COMMON_ERRORS})
def case_list(request: HttpRequest, filters: Query[CaseFilters]) -> dict[str, Any]:
    """The council's cases, newest first, a page at a time. Each filter is
    served by an index that starts with the council."""
    organisation = council(request)
    cases = _cases(organisation)
    if filters.service is not None:
        service_id = (
            Service.objects.for_organisation(organisation)
            .filter(slug=filters.service)
            .values_list("pk", flat=True)
            .first()
        )
        cases = cases.filter(service_id=service_id) if service_id else cases.none()
    if filters.status is not None:
        cases = cases.filter(status=filters.status)
    if filters.open is not None:
        cases = cases.filter(is_open=filters.open)
    if filters.created_after is not None:
        cases = cases.filter(created_at__gte=filters.created_after)
    if filters.created_before is not None:
        cases = cases.filter(created_at__lt=filters.created_before)
    page, next_cursor = newest_first(cases, cursor=filters.cursor, limit=filters.limit)
    return {"results": [case_out(c) for c in page], "next_cursor": next_cursor}


@router.post("/cases", response={201: CaseOut, 404: ErrorOut, **COMMON_ERRORS})
def case_create_view(request: HttpRequest, response: HttpResponse, payload: CaseIn) -> Status:
    """Create a case from a whole answers document, under the same rules as
    the web journey. Every problem with the answers is named by its path
    (`answers.<question id>`). Send an `Idempotency-Key` to retry safely."""
    api_key = caller(request, ApiKey.Scope.WRITE)
    refuse_nul(payload.answers, "answers")

    def create() -> Outcome:
        return Outcome(201, CaseOut(**created(api_key, payload)).model_dump(mode="json"))

    return run_once(request, response, api_key=api_key, operation=create)


def created(api_key: ApiKey, payload: CaseIn, *, files: Uploads | None = None) -> dict[str, Any]:
    """The case `payload` (and `files`, by file question) makes, as the API shows it."""
    try:
        case = _case_made(api_key, payload, files, fresh=False)
    except JourneyUnavailable:
        # The service remembered was out of date (unpublished or republished
        # in another process a moment ago): look it up again, once.
        try:
            case = _case_made(api_key, payload, files, fresh=True)
        except JourneyUnavailable as error:
            raise _unavailable() from error
    return case_out(case)  # made with its service, version and team: no query to read them


def _unavailable() -> ApiError:
    return ApiError(
        422,
        "service_unavailable",
        _("There is no published service with this slug open to the API."),
        "service",
    )


def published_service(
    organisation: Organisation, slug: str, *, fresh: bool = False
) -> Service | None:
    """The council's published service `slug`, its version knowing its service
    and council. Kept per process for CONFIG_MEMO_SECONDS (core.memo): do not
    change it, and ask again with `fresh` when it turns out out of date."""
    return memo.remembered(
        ("api-service", organisation.pk, slug),
        lambda: (
            Service.objects.for_organisation(organisation)
            .published()
            .filter(slug=slug)
            .select_related("published_version__service__organisation")
            .first()
        ),
        fresh=fresh,
    )


def _case_made(api_key: ApiKey, payload: CaseIn, files: Uploads | None, *, fresh: bool) -> Case:
    service = published_service(api_key.organisation, payload.service, fresh=fresh)
    if service is None or service.published_version is None:
        if not fresh:
            raise JourneyUnavailable(payload.service)
        raise _unavailable()
    try:
        return case_create(
            service_version=service.published_version,
            answers=payload.answers,
            declaration=payload.declaration,
            channel=Channel.API,
            client=api_key.name,
            files=files,
        )
    except AnswersRefused as refusal:
        raise ApiError.many(
            422,
            (
                Problem(code="invalid", message=message, path=_answer_path(path))
                for path, message in refusal.errors.items()
            ),
        ) from refusal


def _answer_path(path: str) -> str:
    # The declaration is its own field of the request; everything else is an answer.
    return path if path in {"declaration", "answers"} else f"answers.{path}"


@router.get("/cases/{reference}", response={200: CaseOut, 404: ErrorOut, **COMMON_ERRORS})
def case_detail(request: HttpRequest, reference: str) -> dict[str, Any]:
    """One of the council's cases, by its reference."""
    return case_out(case_for(council(request), reference))
