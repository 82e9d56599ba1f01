"""The resident front door: find a service, answer its questions, track a case."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from townhall.cases import selectors as case_selectors
from townhall.cases import services as case_services
from townhall.cases.models import Case, Draft
from townhall.catalogue import selectors as catalogue_selectors
from townhall.catalogue.engine import flow
from townhall.catalogue.engine.definition import Page, ServiceDefinition
from townhall.catalogue.engine.questions import AnswerError, check_answer, parse_input
from townhall.catalogue.models import Service
from townhall.tenancy.selectors import site_organisations
from townhall.web import journey
from townhall.web.fields import question_fields
from townhall.web.forms import TrackForm


def home(request: HttpRequest) -> HttpResponse:
    services = catalogue_selectors.services_for(site_organisations(request))
    return render(request, "web/home.html", {"services": services[:8]})


def service_list(request: HttpRequest) -> HttpResponse:
    services = catalogue_selectors.services_for(site_organisations(request))
    groups = catalogue_selectors.services_by_category(services)
    return render(request, "web/services.html", {"groups": groups})


def _service(request: HttpRequest, slug: str) -> Service:
    service = catalogue_selectors.service_for_slug(site_organisations(request), slug)
    if service is None:
        raise Http404("No such service")
    return service


def _definition(service: Service, draft: Draft | None) -> ServiceDefinition:
    # A resident mid-way keeps the version they started; new starts get the newest.
    version = draft.service_version if draft else service.published_version
    if version is None:  # published() excludes these; a race with unpublishing
        raise Http404("No such service")
    return version.parsed


def service_start(request: HttpRequest, slug: str) -> HttpResponse:
    service = _service(request, slug)
    definition = _definition(service, None)
    return render(
        request,
        "web/start.html",
        {"service": service, "definition": definition, "first_page": definition.pages[0]},
    )


def _page_url(service: Service, page: Page | None, *, change: bool = False) -> str:
    if page is None:
        return reverse("web:check", args=[service.slug])
    url = reverse("web:page", args=[service.slug, page.id])
    return f"{url}?change=1" if change else url


@require_http_methods(["GET", "POST"])
def question_page(request: HttpRequest, slug: str, page_id: str) -> HttpResponse:
    service = _service(request, slug)
    draft = journey.current_draft(request, service)
    definition = _definition(service, draft)
    page = definition.page(page_id)
    if page is None:
        raise Http404("No such page")
    answers: dict[str, Any] = dict(draft.answers) if draft else {}
    if page not in flow.route(definition, answers):
        return redirect(_page_url(service, flow.first_incomplete_page(definition, answers)))
    change = request.GET.get("change") == "1"

    if request.method == "POST":
        new_answers, errors = _read_page(page, answers, request)
        if not errors:
            if draft is None:
                draft = case_services.draft_start(
                    service_version=service.published_version  # type: ignore[arg-type]
                )
                journey.remember_draft(request, service, draft)
            draft = case_services.draft_save_answers(draft=draft, answers=new_answers)
            if change and flow.first_incomplete_page(definition, draft.answers) is None:
                return redirect("web:check", slug=service.slug)
            return redirect(_page_url(service, flow.next_page(definition, draft.answers, page)))
        raw: Any = request.POST
    else:
        errors, raw = {}, {}

    back = flow.previous_page(definition, answers, page)
    fields = question_fields(flow.visible_questions(page, answers), answers, raw, errors)
    return render(
        request,
        "web/page.html",
        {
            "service": service,
            "definition": definition,
            "page": page,
            "fields": fields,
            "errors": errors,
            "anchors": {f.question.id: f.anchor for f in fields},
            "has_errors": bool(errors),
            "multipart": any(f.question.type == "file" for f in fields),
            "back_url": _page_url(service, back) if back else reverse("web:start", args=[slug]),
            "change": change,
        },
    )


def _read_page(
    page: Page, answers: dict[str, Any], request: HttpRequest
) -> tuple[dict[str, Any], dict[str, str]]:
    """Parse and check the page's answers, in order, so a later question's
    condition can depend on an earlier one on the same page."""
    merged = dict(answers)
    new_answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for question in flow.visible_questions(page, merged):
        try:
            value = parse_input(question, request.POST, request.FILES)
        except AnswerError as error:
            errors[question.id] = str(error)
            continue
        if question.type == "file" and value == "" and answers.get(question.id):
            value = answers[question.id]  # no new file: keep the one already uploaded
        checkable = question.type != "file" or value == ""  # new files were checked on parse
        if checkable and (message := check_answer(question, value)) is not None:
            errors[question.id] = message
            continue
        new_answers[question.id] = value
        merged[question.id] = value
    return new_answers, errors


@require_http_methods(["GET", "POST"])
def check_answers(request: HttpRequest, slug: str) -> HttpResponse:
    service = _service(request, slug)
    draft = journey.current_draft(request, service)
    if draft is None:
        if request.method == "POST" and journey.submitted_case(request, service):
            return redirect("web:done", slug=slug)  # a repeated submit: already done
        return redirect("web:start", slug=slug)
    definition = _definition(service, draft)
    incomplete = flow.first_incomplete_page(definition, draft.answers)
    if incomplete is not None:
        return redirect(_page_url(service, incomplete))
    if request.method == "POST":
        try:
            case = case_services.case_submit(draft=draft)
        except case_services.SubmissionRefused:
            return redirect(
                _page_url(service, flow.first_incomplete_page(definition, draft.answers))
            )
        journey.remember_submission(request, service, case)
        return redirect("web:done", slug=slug)
    return render(
        request,
        "web/check.html",
        {
            "service": service,
            "definition": definition,
            "rows": flow.summary(definition, draft.answers),
            "back_url": _page_url(service, flow.route(definition, draft.answers)[-1]),
        },
    )


def confirmation(request: HttpRequest, slug: str) -> HttpResponse:
    service = _service(request, slug)
    case = journey.submitted_case(request, service)
    if case is None:
        return redirect("web:start", slug=slug)
    definition = case.service_version.parsed
    return render(
        request,
        "web/done.html",
        {"service": service, "definition": definition, "case": case},
    )


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Look a case up by reference and email. POST only, so neither ends up
    in a URL, a browser history or a server log."""
    form = TrackForm(request.POST or None)
    case: Case | None = None
    not_found = False
    if request.method == "POST" and form.is_valid():
        case = case_selectors.case_for_tracking(
            reference=form.cleaned_data["reference"], email=form.cleaned_data["email"]
        )
        not_found = case is None
    if case is not None:
        definition = case.service_version.parsed
        events = [
            (event, definition.workflow.state(event.to_status).public_label)
            for event in case_selectors.public_timeline(case)
        ]
        return render(
            request,
            "web/track_case.html",
            {
                "case": case,
                "definition": definition,
                "status": definition.workflow.state(case.status).public_label,
                "events": events,
            },
        )
    return render(
        request,
        "web/track.html",
        {"form": form, "not_found": not_found, "has_errors": bool(form.errors)},
    )
