"""Answering a service's questions: one page at a time, check answers, send,
confirmation; and, for residents, saving to come back later. The same views
serve staff recording a phone or face-to-face contact (see `modes`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from townhall.cases import services as case_services
from townhall.cases.models import Channel, Draft
from townhall.catalogue import selectors as catalogue_selectors
from townhall.catalogue.engine import flow
from townhall.catalogue.engine.conditions import condition_holds
from townhall.catalogue.engine.definition import Page, ServiceDefinition, with_optional_contact
from townhall.catalogue.engine.inputs import AnswerError, parse_input
from townhall.catalogue.engine.questions import check_answer
from townhall.catalogue.models import Service
from townhall.core.throttle import client_key, throttle_allows
from townhall.tenancy.selectors import site_organisations
from townhall.web import journey, resume
from townhall.web.fields import question_fields
from townhall.web.forms import ResumeEmailForm
from townhall.web.modes import RESIDENT, Mode


def resident_service(request: HttpRequest, slug: str) -> Service:
    """A published service that residents of this site may use, or 404."""
    service = catalogue_selectors.service_for_slug(site_organisations(request), slug)
    if service is None:
        raise Http404("No such service")
    return service


def journey_service(request: HttpRequest, slug: str, mode: Mode) -> Service:
    """The service for this journey: for staff, any published service of their
    council (staff-only ones too); for residents, one offered on this site."""
    if not mode.staff:
        return resident_service(request, slug)
    organisation = request.organisation  # type: ignore[attr-defined]  # staff_required sets it
    service = catalogue_selectors.staff_service_for_slug(organisation, slug)
    if service is None:
        raise Http404("No such service")
    return service


def journey_definition(
    service: Service, draft: Draft | None, mode: Mode = RESIDENT
) -> ServiceDefinition:
    """The definition a journey runs on; for staff, with the contact email optional."""
    # A resident mid-way keeps the version they started; new starts get the newest.
    version = draft.service_version if draft else service.published_version
    if version is None:  # published() excludes these; a race with unpublishing
        raise Http404("No such service")
    return with_optional_contact(version.parsed) if mode.staff else version.parsed


def page_url(
    service: Service, page: Page | None, *, change: bool = False, mode: Mode = RESIDENT
) -> str:
    if page is None:
        return reverse(f"{mode.namespace}:check", args=[service.slug])
    url = reverse(f"{mode.namespace}:page", args=[service.slug, page.id])
    return f"{url}?change=1" if change else url


def service_start(request: HttpRequest, slug: str) -> HttpResponse:
    service = resident_service(request, slug)
    definition = journey_definition(service, None)
    return render(
        request,
        "web/start.html",
        {
            "service": service,
            "definition": definition,
            "first_url": page_url(service, definition.pages[0]),
            "base_template": RESIDENT.base_template,
        },
    )


@require_http_methods(["GET", "POST"])
def question_page(
    request: HttpRequest, slug: str, page_id: str, mode: Mode = RESIDENT
) -> HttpResponse:
    service = journey_service(request, slug, mode)
    draft = journey.current_draft(request, service, mode.namespace)
    if mode.staff and draft is None and journey.channel_for(request, service) is None:
        return redirect(f"{mode.namespace}:start", slug=slug)  # say the channel first
    definition = journey_definition(service, draft, mode)
    page = definition.page(page_id)
    if page is None:
        raise Http404("No such page")
    answers: dict[str, Any] = dict(draft.answers) if draft else {}
    if page not in flow.route(definition, answers):
        first_gap = flow.first_incomplete_page(definition, answers)
        return redirect(page_url(service, first_gap, mode=mode))
    change = request.GET.get("change") == "1"
    action = request.POST.get("action", "") if request.method == "POST" else ""
    add_item_to = action.removeprefix("add:") if action.startswith("add:") else None
    sent = request.method == "POST" and not page.is_exit
    raw: Any = request.POST if sent else {}
    submitted = PageSubmission(answers={}, errors={}, deciding=answers, complete=False)
    if sent and add_item_to is None:
        submitted = _submit_page(page, answers, request)
        if submitted.complete:
            draft = _save(request, service, draft, submitted.answers, mode)
            if action == "save" and definition.save_and_return and not mode.staff:
                return redirect("web:save", slug=service.slug)
            if change and flow.first_incomplete_page(definition, draft.answers) is None:
                return redirect(f"{mode.namespace}:check", slug=service.slug)
            following = flow.next_page(definition, draft.answers, page)
            return redirect(page_url(service, following, mode=mode))
    errors = submitted.errors

    back = flow.previous_page(definition, answers, page)
    fields = question_fields(
        flow.visible_questions(page, submitted.deciding),
        answers,
        raw,
        errors,
        add_item_to=add_item_to,
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
            "back_url": (
                page_url(service, back, mode=mode)
                if back
                else reverse(f"{mode.namespace}:start", args=[slug])
            ),
            "change": change,
            "base_template": mode.base_template,
            "can_save": definition.save_and_return and not mode.staff,
            "shown": ",".join(f.question.id for f in fields),
        },
    )


def _save(
    request: HttpRequest,
    service: Service,
    draft: Draft | None,
    answers: dict[str, Any],
    mode: Mode,
) -> Draft:
    if draft is None:
        channel = journey.channel_for(request, service) if mode.staff else Channel.WEB
        draft = case_services.draft_start(
            service_version=service.published_version,  # type: ignore[arg-type]
            channel=channel or Channel.WEB,
        )
        journey.remember_draft(request, service, draft, mode.namespace)
    return case_services.draft_save_answers(draft=draft, answers=answers)


@dataclass(frozen=True)
class PageSubmission:
    answers: dict[str, Any]  # the page's answers, to save when complete
    errors: dict[str, str]  # for questions that were on the screen
    deciding: dict[str, Any]  # answers deciding which questions the page shows now
    complete: bool


def _submit_page(page: Page, answers: dict[str, Any], request: HttpRequest) -> PageSubmission:
    """Read a sent page. A question that an answer on this same page brings in
    was not on the screen: the page is shown again with it, without an error,
    so conditions within a page work with JavaScript off."""
    new_answers, errors = _read_page(page, answers, request)
    deciding = {**answers, **new_answers}
    posted = request.POST.get("shown")
    on_screen = (
        set(posted.split(","))
        if posted is not None  # else: what the page showed before this answer
        else {q.id for q in flow.visible_questions(page, answers)}
    )
    revealed = [q for q in flow.visible_questions(page, deciding) if q.id not in on_screen]
    errors = {qid: message for qid, message in errors.items() if qid in on_screen}
    return PageSubmission(
        answers=new_answers,
        errors=errors,
        deciding=deciding,
        complete=not errors and not revealed,
    )


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
def check_answers(request: HttpRequest, slug: str, mode: Mode = RESIDENT) -> HttpResponse:
    service = journey_service(request, slug, mode)
    draft = journey.current_draft(request, service, mode.namespace)
    if draft is None:
        if request.method == "POST" and journey.submitted_case(request, service, mode.namespace):
            return redirect(f"{mode.namespace}:done", slug=slug)  # a repeated submit
        return redirect(f"{mode.namespace}:start", slug=slug)
    definition = journey_definition(service, draft, mode)
    incomplete = flow.first_incomplete_page(definition, draft.answers)
    if incomplete is not None:
        return redirect(page_url(service, incomplete, mode=mode))
    errors: dict[str, str] = {}
    if request.method == "POST":
        if definition.declaration and request.POST.get("declaration") != "yes":
            errors["declaration"] = _("Confirm the declaration to send your application")
        else:
            try:
                case = case_services.case_submit(
                    draft=draft,
                    actor=request.user if mode.staff else None,  # type: ignore[arg-type]
                    contact_required=not mode.staff,
                )
            except case_services.SubmissionRefused:
                first_gap = flow.first_incomplete_page(definition, draft.answers)
                return redirect(page_url(service, first_gap, mode=mode))
            journey.remember_submission(request, service, case, mode.namespace)
            return redirect(f"{mode.namespace}:done", slug=slug)
    rows = flow.summary(definition, draft.answers)
    return render(
        request,
        "web/check.html",
        {
            "service": service,
            "definition": definition,
            "rows": [(row, page_url(service, row.page, change=True, mode=mode)) for row in rows],
            "back_url": page_url(service, flow.route(definition, draft.answers)[-1], mode=mode),
            "errors": errors,
            "has_errors": bool(errors),
            "base_template": mode.base_template,
            "staff": mode.staff,
        },
    )


def confirmation(request: HttpRequest, slug: str, mode: Mode = RESIDENT) -> HttpResponse:
    service = journey_service(request, slug, mode)
    case = journey.submitted_case(request, service, mode.namespace)
    if case is None:
        return redirect(f"{mode.namespace}:start", slug=slug)
    definition = case.service_version.parsed
    template = "backoffice/assisted/done.html" if mode.staff else "web/done.html"
    return render(
        request,
        template,
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
    form = ResumeEmailForm(request.POST if request.method == "POST" else None, initial=initial)
    too_many = False
    if request.method == "POST" and form.is_valid():
        allowed = throttle_allows(
            key=client_key(request, "resume-email"),
            limit=resume.EMAILS_PER_CLIENT,
            window=resume.EMAIL_WINDOW,
        )
        if not allowed:
            form.add_error(
                "email",
                _("We have sent several links from here recently. Wait an hour and try again."),
            )
            too_many = True
    if request.method == "POST" and form.is_valid() and not too_many:
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
