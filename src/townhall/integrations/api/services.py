"""Services: what a client can create cases for, the answers each one takes
and the statuses its cases move through."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from townhall.catalogue.engine.definition import Question, ServiceDefinition
from townhall.catalogue.models import Service, ServiceVersion
from townhall.integrations.api.auth import council
from townhall.integrations.api.errors import COMMON_ERRORS, ErrorOut, not_found
from townhall.integrations.models import ApiKey

router = Router(tags=["services"])


class OptionOut(Schema):
    value: str
    label: str


class QuestionOut(Schema):
    id: str
    type: str
    label: str
    hint: str
    required: bool
    options: list[OptionOut]
    questions: list[QuestionOut]  # a group's questions, asked about each item


class StatusOut(Schema):
    id: str
    label: str
    public_label: str
    closed: bool
    next: list[str]


class ServiceOut(Schema):
    slug: str
    name: str
    summary: str
    category: str
    audience: str
    version: int


class ServiceDetailOut(ServiceOut):
    declaration: str
    questions: list[QuestionOut]
    initial_status: str
    statuses: list[StatusOut]


class ServiceList(Schema):
    results: list[ServiceOut]
    next_cursor: str | None = None


def _question(question: Question) -> QuestionOut:
    return QuestionOut(
        id=question.id,
        type=question.type,
        label=question.label,
        hint=question.hint,
        required=question.required,
        options=[OptionOut(value=o.value, label=o.label) for o in question.options],
        questions=[_question(q) for q in question.questions],
    )


def _summary(service: Service) -> dict[str, Any]:
    version = service.published_version  # only published services are listed
    return {
        "slug": service.slug,
        "name": service.name,
        "summary": service.summary,
        "category": service.category,
        "audience": service.audience,
        "version": version.number if version else 0,
    }


def _detail(service: Service, definition: ServiceDefinition) -> ServiceDetailOut:
    workflow = definition.workflow
    return ServiceDetailOut(
        **_summary(service),
        declaration=definition.declaration,
        questions=[_question(q) for page in definition.pages for q in page.questions],
        initial_status=workflow.initial,
        statuses=[
            StatusOut(
                id=state.id,
                label=state.label,
                public_label=state.public_label,
                closed=state.closed,
                next=list(workflow.transitions.get(state.id, ())),
            )
            for state in workflow.states
        ],
    )


def published_version(
    request: HttpRequest, slug: str, scope: str = ApiKey.Scope.READ
) -> ServiceVersion:
    """The published version of the key's council's service `slug` (404 otherwise)."""
    service = (
        Service.objects.for_organisation(council(request, scope))
        .published()
        .filter(slug=slug)
        .select_related("published_version__service")
        .first()
    )
    if service is None or service.published_version is None:
        raise not_found(_("This council has no such service."))
    return service.published_version


@router.get("/services", response={200: ServiceList, **COMMON_ERRORS})
def service_list(request: HttpRequest) -> dict[str, Any]:
    """The council's published services (there are few: one page holds them all)."""
    services = (
        Service.objects.for_organisation(council(request))
        .published()
        .select_related("published_version")
        .order_by("name", "pk")
    )
    return {"results": [_summary(s) for s in services], "next_cursor": None}


@router.get("/services/{slug}", response={200: ServiceDetailOut, 404: ErrorOut, **COMMON_ERRORS})
def service_detail(request: HttpRequest, slug: str) -> ServiceDetailOut:
    """A service with the questions a case's `answers` answer (by `id`) and the
    statuses of its workflow, each with the statuses it can move to."""
    version = published_version(request, slug)
    return _detail(version.service, version.parsed)


@router.get(
    "/services/{slug}/definition",
    response={200: dict[str, Any], 404: ErrorOut, **COMMON_ERRORS},
)
def service_definition(request: HttpRequest, slug: str) -> dict[str, Any]:
    """The published definition as Townhall stores and exports it (admin scope)."""
    version = published_version(request, slug, ApiKey.Scope.ADMIN)
    return dict(version.definition)
