"""A resident answering a service's questions: one page at a time, check
answers, send, confirmation; and saving to come back later."""

from __future__ import annotations

from typing import Any

from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from townhall.cases import services as case_services
from townhall.cases.models import Draft
from townhall.catalogue import selectors as catalogue_selectors
from townhall.catalogue.engine import flow
from townhall.catalogue.engine.conditions import condition_holds
from townhall.catalogue.engine.definition import Page, ServiceDefinition
from townhall.catalogue.engine.questions import AnswerError, check_answer, parse_input
from townhall.catalogue.models import Service
from townhall.tenancy.selectors import site_organisations
from townhall.web import journey, resume
from townhall.web.fields import question_fields
from townhall.web.forms import ResumeEmailForm


def resident_service(request: HttpRequest, slug: str) -> Service:
    """A published service that residents of this site may use, or 404."""
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


def page_url(service: Service, page: Page | None, *, change: bool = False) -> str:
    if page is None:
        return reverse("web:check", args=[service.slug])
    url = reverse("web:page", args=[service.slug, page.id])
    return f"{url}?change=1" if change else url


def service_start(request: HttpRequest, slug: str) -> HttpResponse:
    service = resident_service(request, slug)
    definition = _definition(service, None)
    return render(
        request,
        "web/start.html",
        {"service": service, "definition": definition, "first_page": definition.pages[0]},
    )


@require_http_methods(["GET", "POST"])
def question_page(request: HttpRequest, slug: str, page_id: str) -> HttpResponse:
    service = resident_service(request, slug)
    draft = journey.current_draft(request, service)
    definition = _definition(service, draft)
    page = definition.page(page_id)
    if page is None:
        raise Http404("No such page")
    answers: dict[str, Any] = dict(draft.answers) if draft else {}
    if page not in flow.route(definition, answers):
        return redirect(page_url(service, flow.first_incomplete_page(definition, answers)))
    change = request.GET.get("change") == "1"
    action = request.POST.get("action", "") if request.method == "POST" else ""
    errors: dict[str, str] = {}
    raw: Any = {}
    add_item_to = action.removeprefix("add:") if action.startswith("add:") else None

    if request.method == "POST" and not page.is_exit:
        raw = request.POST
        if add_item_to is None:
            new_answers, errors = _read_page(page, answers, request)
            if not errors:
                draft = _save(request, service, draft, new_answers)
                if action == "save" and definition.save_and_return:
                    return redirect("web:save", slug=service.slug)
                if change and flow.first_incomplete_page(definition, draft.answers) is None:
                    return redirect("web:check", slug=service.slug)
                return redirect(page_url(service, flow.next_page(definition, draft.answers, page)))

    back = flow.previous_page(definition, answers, page)
    fields = question_fields(
        flow.visible_questions(page, answers), answers, raw, errors, add_item_to=add_item_to
    )
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
            "back_url": page_url(service, back) if back else reverse("web:start", args=[slug]),
            "change": change,
        },
    )


def _save(
    request: HttpRequest, service: Service, draft: Draft | None, answers: dict[str, Any]
) -> Draft:
    if draft is None:
        draft = case_services.draft_start(
            service_version=service.published_version  # type: ignore[arg-type]
        )
        journey.remember_draft(request, service, draft)
    return case_services.draft_save_answers(draft=draft, answers=answers)


def _read_page(
    page: Page, answers: dict[str, Any], request: HttpRequest
) -> tuple[dict[str, Any], dict[str, str]]:
    """Parse and check the page's answers, in order, so a later question's
    condition can depend on an earlier one on the same page."""
    merged = dict(answers)
    new_answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for question in page.questions:
        if not condition_holds(question.when, merged):
            continue
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
    service = resident_service(request, slug)
    draft = journey.current_draft(request, service)
    if draft is None:
        if request.method == "POST" and journey.submitted_case(request, service):
            return redirect("web:done", slug=slug)  # a repeated submit: already done
        return redirect("web:start", slug=slug)
    definition = _definition(service, draft)
    incomplete = flow.first_incomplete_page(definition, draft.answers)
    if incomplete is not None:
        return redirect(page_url(service, incomplete))
    errors: dict[str, str] = {}
    if request.method == "POST":
        if definition.declaration and request.POST.get("declaration") != "yes":
            errors["declaration"] = "Confirm the declaration to send your application"
        else:
            try:
                case = case_services.case_submit(draft=draft)
            except case_services.SubmissionRefused:
                return redirect(
                    page_url(service, flow.first_incomplete_page(definition, draft.answers))
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
            "back_url": page_url(service, flow.route(definition, draft.answers)[-1]),
            "errors": errors,
            "has_errors": bool(errors),
        },
    )


def confirmation(request: HttpRequest, slug: str) -> HttpResponse:
    service = resident_service(request, slug)
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
def save_for_later(request: HttpRequest, slug: str) -> HttpResponse:
    """Email the resident a link that brings their answers back."""
    service = resident_service(request, slug)
    draft = journey.current_draft(request, service)
    if draft is None or not draft.service_version.parsed.save_and_return:
        return redirect("web:start", slug=slug)
    definition = draft.service_version.parsed
    contact = definition.contact_question
    initial = {"email": draft.answers.get(contact.id, "")} if contact else {}
    form = ResumeEmailForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        resume.send_resume_link(
            request=request, service=service, draft=draft, email=form.cleaned_data["email"]
        )
        return render(
            request,
            "web/saved.html",
            {"service": service, "definition": definition, "days": resume.RESUME_DAYS},
        )
    return render(
        request,
        "web/save.html",
        {
            "service": service,
            "definition": definition,
            "form": form,
            "days": resume.RESUME_DAYS,
            "has_errors": bool(form.errors),
        },
    )


def resume_answers(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """Follow an emailed link back to a saved draft."""
    service = resident_service(request, slug)
    try:
        draft = resume.draft_for_token(service=service, token=token)
    except signing.SignatureExpired:
        return render(request, "web/resume_invalid.html", {"service": service, "expired": True})
    except (signing.BadSignature, Draft.DoesNotExist):
        return render(request, "web/resume_invalid.html", {"service": service, "expired": False})
    journey.remember_draft(request, service, draft)
    definition = draft.service_version.parsed
    return redirect(page_url(service, flow.first_incomplete_page(definition, draft.answers)))
