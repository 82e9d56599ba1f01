"""Where a resident's journey through a service is kept between requests:
the draft (and, once submitted, the case) for each service, in their session."""

from __future__ import annotations

from django.http import HttpRequest

from townhall.cases.models import Case, Draft
from townhall.catalogue.models import Service

DRAFTS = "townhall_drafts"
SUBMITTED = "townhall_submitted"


def current_draft(request: HttpRequest, service: Service) -> Draft | None:
    draft_id = request.session.get(DRAFTS, {}).get(str(service.pk))
    if draft_id is None:
        return None
    return (
        Draft.objects.filter(pk=draft_id, case__isnull=True, service_version__service=service)
        .select_related("service_version")
        .first()
    )


def remember_draft(request: HttpRequest, service: Service, draft: Draft) -> None:
    drafts = dict(request.session.get(DRAFTS, {}))
    drafts[str(service.pk)] = str(draft.pk)
    request.session[DRAFTS] = drafts


def remember_submission(request: HttpRequest, service: Service, case: Case) -> None:
    drafts = dict(request.session.get(DRAFTS, {}))
    drafts.pop(str(service.pk), None)
    request.session[DRAFTS] = drafts
    submitted = dict(request.session.get(SUBMITTED, {}))
    submitted[str(service.pk)] = case.pk
    request.session[SUBMITTED] = submitted
    request.session.cycle_key()


def submitted_case(request: HttpRequest, service: Service) -> Case | None:
    case_id = request.session.get(SUBMITTED, {}).get(str(service.pk))
    if case_id is None:
        return None
    return (
        Case.objects.filter(pk=case_id, service=service).select_related("service_version").first()
    )
