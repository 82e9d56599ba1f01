"""Answering a service's questions: one page at a time, check answers, send,
confirmation; and, for residents, saving to come back later. The same views
serve staff recording a phone or face-to-face contact (see `modes`).

The rules (which version, reading and checking a page, where next,
submission) are the journey service's, `cases.journey`; these views keep the
journey in the session, pass it the form's fields and render what it says."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from django.core import signing
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from townhall.accounts.models import User
from townhall.cases import journey as journeys
from townhall.cases.models import Channel, Draft
from townhall.cases.services import SubmissionRefused
from townhall.catalogue import selectors as catalogue_selectors
from townhall.catalogue.engine.definition import Page, ServiceDefinition
from townhall.catalogue.models import Service
from townhall.core.middleware import answers_oversized_requests
from townhall.core.throttle import client_key, throttle_allows
from townhall.residents import prefill
from townhall.residents.identity import email_verified
from townhall.tenancy.selectors import site_organisations
from townhall.web import journey as session
from townhall.web import place, resume
from townhall.web.fields import group_item_removed, question_fields
from townhall.web.forms import ResumeEmailForm
from townhall.web.modes import RESIDENT, Mode


def signed_in_resident(request: HttpRequest) -> User | None:
    """The signed-in person, if they have confirmed their email address: the
    resident whose draft and case a journey makes."""
    user = request.user
    return user if isinstance(user, User) and email_verified(user) else None


def resident_service(request: HttpRequest, slug: str) -> Service:
    """A published service that residents of this site may use, or 404. Where
    several councils of the site offer the slug, the one that handles the
    resident's place (raises `place.PlaceNeeded` if they have given none)."""
    service = place.service_chosen(request, site_organisations(request), slug)
    if service is None:
        raise Http404("No such service")
    return service


def journey_service(request: HttpRequest, slug: str, mode: Mode) -> Service:
    """The service for this journey: for staff, any published service of their
    council (staff-only ones too); for residents, one offered on this site."""
    if not mode.staff:
        return resident_service(request, slug)
    organisation = request.organisation  # type: ignore[attr-defined]  # permission_required sets it
    service = catalogue_selectors.staff_service_for_slug(organisation, slug)
    if service is None:
        raise Http404("No such service")
    return service


def journey_for(request: HttpRequest, service: Service, mode: Mode) -> journeys.Journey:
    """The journey this browser is on for `service`: its draft if it has one,
    and, for staff, the channel they chose. Raises ChannelNeeded, and
    SignInNeeded for a service for signed-in residents (see `sign_in_first`)."""
    draft = session.current_draft(request, service, mode.namespace)
    channel = session.channel_for(request, service) if mode.staff else Channel.WEB
    try:
        return journeys.journey_open(
            service=service,
            draft=draft,
            channel=channel,
            assisted=mode.staff,
            resident=None if mode.staff else signed_in_resident(request),
        )
    except journeys.SignInNeeded:
        raise
    except journeys.JourneyUnavailable as error:  # a race with unpublishing
        raise Http404("No such service") from error


def sign_in_first(request: HttpRequest, service: Service) -> HttpResponse | None:
    """For a service for signed-in residents, where to send someone who is not
    one yet: to sign in, or to confirm their email address, and then back to
    this page. None when they may carry on."""
    if not service.needs_sign_in or signed_in_resident(request) is not None:
        return None
    back = urlencode({"next": request.get_full_path()})
    if request.user.is_authenticated:
        return redirect(f"{reverse('account:verify')}?{back}")
    return redirect(f"{reverse('account:sign-in')}?{back}")


def _recording(journey: journeys.Journey, mode: Mode) -> str:
    """For staff, the channel of the contact they are recording (as they read it)."""
    return str(Channel(journey.channel).label) if mode.staff else ""


def start_definition(service: Service) -> ServiceDefinition:
    try:
        return journeys.start_definition(service)
    except journeys.JourneyUnavailable as error:
        raise Http404("No such service") from error


def page_url(
    service: Service, page: Page | None, *, change: bool = False, mode: Mode = RESIDENT
) -> str:
    if page is None:
        return reverse(f"{mode.namespace}:check", args=[service.slug])
    url = reverse(f"{mode.namespace}:page", args=[service.slug, page.id])
    return f"{url}?change=1" if change else url


def service_start(request: HttpRequest, slug: str) -> HttpResponse:
    service = resident_service(request, slug)
    definition = start_definition(service)
    return render(
        request,
        "web/start.html",
        {
            "service": service,
            "definition": definition,
            "first_url": (
                reverse("web:tasks", args=[slug])
                if definition.has_sections
                else page_url(service, definition.pages[0])
            ),
            "base_template": RESIDENT.base_template,
            "ask_to_prefill": prefill.asks_to_prefill(request.user, definition),
            "prefills": prefill.may_prefill(request.user, definition),
        },
    )


def privacy_notice(request: HttpRequest, slug: str) -> HttpResponse:
    """The service's privacy notice, as its council wrote it in the definition."""
    service = resident_service(request, slug)
    definition = start_definition(service)
    if not definition.privacy_notice:
        raise Http404("No privacy notice")
    return render(request, "web/privacy.html", {"service": service, "definition": definition})


def _profile_questions(request: HttpRequest, journey: journeys.Journey, mode: Mode) -> list[Any]:
    """The questions on a page the resident's profile may fill (ask once)."""
    if mode.staff or not prefill.may_prefill(request.user, journey.definition):
        return []
    return list(journey.definition.prefilled_questions)


def _profile_update(
    request: HttpRequest, questions: list[Any], reading: journeys.PageReading
) -> None:
    """ "Also update my profile": the answers the resident ticked, written back."""
    chosen = set(request.POST.getlist("update_profile"))
    ticked = [q for q in questions if q.id in chosen and q.id in reading.answers]
    if ticked:
        prefill.profile_update_from_answers(
            user=request.user,  # type: ignore[arg-type]  # may_prefill: a resident
            questions=ticked,
            answers=reading.answers,
        )


def _group_item(action: str, prefix: str) -> tuple[str, int] | None:
    """The group question and item index an action names ("remove:members:1")."""
    if not action.startswith(prefix):
        return None
    question_id, _sep, index = action.removeprefix(prefix).rpartition(":")
    return (question_id, int(index)) if question_id and index.isdigit() else None


def _group_item_file(action: str) -> tuple[str, str] | None:
    """The file question and stored file id "remove-file:<id>:<file>" names."""
    if not action.startswith("remove-file:"):
        return None
    question_id, _sep, file_id = action.removeprefix("remove-file:").partition(":")
    return (question_id, file_id) if question_id and file_id else None


def _too_large(reading: journeys.PageReading, limit_mb: int) -> journeys.PageReading:
    uploads = [q for q in reading.questions if q.type == "file"] or reading.questions[:1]
    message = _(
        "The selected files must be smaller than %(size)dMB in total. Choose fewer or smaller files"
    ) % {"size": limit_mb}
    errors = {question.id: message for question in uploads[:1]}
    return replace(reading, errors=errors)


@answers_oversized_requests
@require_http_methods(["GET", "POST"])
def question_page(
    request: HttpRequest, slug: str, page_id: str, mode: Mode = RESIDENT
) -> HttpResponse:
    service = journey_service(request, slug, mode)
    if not mode.staff and (elsewhere := sign_in_first(request, service)) is not None:
        return elsewhere
    try:
        journey = journey_for(request, service, mode)
    except journeys.ChannelNeeded:
        return redirect(f"{mode.namespace}:start", slug=slug)  # say the channel first
    except journeys.SignInNeeded:
        return redirect(f"{mode.namespace}:start", slug=slug)  # another resident's draft
    page = journey.definition.page(page_id)
    if page is None:
        raise Http404("No such page")
    if not journeys.page_on_route(journey, page):
        return redirect(page_url(service, journeys.first_gap(journey), mode=mode))
    change = request.GET.get("change") == "1"
    action = request.POST.get("action", "") if request.method == "POST" else ""
    add_item_to = action.removeprefix("add:") if action.startswith("add:") else None
    # Items of a group: "remove:<id>:<n>" asks to confirm, "removed:<id>:<n>"
    # removes, "keep:<id>" keeps it; each shows the page again, unchecked.
    confirm_remove = _group_item(action, "remove:")
    removed = _group_item(action, "removed:")
    rearranging = add_item_to is not None or confirm_remove or removed or action.startswith("keep:")
    posted: QueryDict = request.POST
    if removed is not None:
        posted = group_item_removed(request.POST, *removed)
    sent = request.method == "POST" and not page.is_exit
    reading = journeys.page_show(journey, page)
    profile_questions = [
        q for q in _profile_questions(request, journey, mode) if q in reading.questions
    ]
    remove_file = _group_item_file(action)
    if sent and remove_file is not None:
        journey = journeys.page_file_remove(
            journey=journey, question_id=remove_file[0], file_id=remove_file[1]
        )
        return redirect(page_url(service, page, change=change, mode=mode))
    too_large = getattr(request, "upload_too_large", None)
    if sent and too_large is not None:
        # Nothing was read (RequestSizeLimitMiddleware): say so by the uploads.
        reading = _too_large(reading, too_large)
        sent = False
    elif sent and not rearranging:
        reading = journeys.page_read(
            journey=journey, page=page, data=request.POST, files=request.FILES
        )
        if action == "save" and journey.can_save and not reading.complete:
            # Saving to come back later does not check the page first.
            started = journey.draft is None
            journey = journeys.page_keep(journey=journey, reading=reading)
            if started and journey.draft is not None:
                session.remember_draft(request, service, journey.draft, mode.namespace)
            return redirect("web:save", slug=service.slug)
        if reading.complete:
            started = journey.draft is None
            journey = journeys.page_save(journey=journey, reading=reading)
            _profile_update(request, profile_questions, reading)
            if started and journey.draft is not None:
                session.remember_draft(request, service, journey.draft, mode.namespace)
            if action == "save" and journey.can_save:
                return redirect("web:save", slug=service.slug)
            following = journeys.page_after(journey=journey, page=page, change=change)
            if not mode.staff and not change and journeys.leaves_section(journey, page, following):
                return redirect("web:tasks", slug=service.slug)  # back to the task list
            return redirect(page_url(service, following, mode=mode))

    back = journeys.page_before(journey, page)
    filled = (
        prefill.page_answers(request.user, profile_questions, journey.answers)  # type: ignore[arg-type]
        if profile_questions and not sent
        else {}
    )
    fields = question_fields(
        reading.questions,
        {**journey.answers, **filled},
        posted if sent else {},
        reading.errors,
        add_item_to=add_item_to,
        confirm_remove=confirm_remove,
    )
    return render(
        request,
        "web/page.html",
        {
            "service": service,
            "definition": journey.definition,
            "page": page,
            "fields": fields,
            "errors": reading.errors,
            "anchors": {f.question.id: f.anchor for f in fields},
            "has_errors": bool(reading.errors),
            "multipart": any(f.question.type == "file" for f in fields),
            "back_url": (
                page_url(service, back, mode=mode)
                if back
                else reverse(f"{mode.namespace}:start", args=[slug])
            ),
            "change": change,
            "base_template": mode.base_template,
            "can_save": journey.can_save,
            "shown": ",".join(f.question.id for f in fields),
            "recording": _recording(journey, mode),
            # The email address they sign in with is not changed from a form.
            "profile_questions": [q for q in profile_questions if q.prefill != "profile.email"],
            "filled_from_profile": bool(filled),
        },
    )


@require_http_methods(["GET", "POST"])
def check_answers(request: HttpRequest, slug: str, mode: Mode = RESIDENT) -> HttpResponse:
    from townhall.web.demand_views import journey_nearby

    service = journey_service(request, slug, mode)
    if not mode.staff and (elsewhere := sign_in_first(request, service)) is not None:
        return elsewhere
    try:
        journey: journeys.Journey | None = journey_for(request, service, mode)
    except (journeys.ChannelNeeded, journeys.SignInNeeded):
        journey = None
    if request.method == "POST":
        elsewhere = submit_elsewhere(request, service, journey, mode)
        if elsewhere is not None:
            return elsewhere
    if journey is None or journey.draft is None:
        return redirect(f"{mode.namespace}:start", slug=slug)
    gap = journeys.first_gap(journey)
    if gap is not None:
        return redirect(page_url(service, gap, mode=mode))
    errors: dict[str, str] = {}
    handling = (
        None
        if mode.staff
        else place.handling_for(
            site_organisations(request), service, journey.definition, journey.answers
        )
    )
    if request.method == "POST" and not (handling and handling.elsewhere):
        try:
            case = journeys.journey_submit(
                journey=journey,
                declaration=request.POST.get("declaration") == "yes",
                actor=request.user if mode.staff else None,  # type: ignore[arg-type]
            )
        except SubmissionRefused as refused:
            gap = journeys.first_gap(journey)
            if gap is not None:
                return redirect(page_url(service, gap, mode=mode))
            errors = refused.errors  # on this page: the declaration
        else:
            session.remember_submission(request, service, case, mode.namespace)
            return redirect(f"{mode.namespace}:done", slug=slug)
    rows = journeys.check_answers_rows(journey)
    sections: list[tuple[str, list[tuple[object, str]]]] = []
    for row in rows:
        title = journey.definition.section_of(row.page)
        if not sections or sections[-1][0] != title:
            sections.append((title, []))
        sections[-1][1].append((row, page_url(service, row.page, change=True, mode=mode)))
    return render(
        request,
        "web/check.html",
        {
            "service": service,
            "definition": journey.definition,
            "rows": [(row, page_url(service, row.page, change=True, mode=mode)) for row in rows],
            "sections": sections if journey.definition.has_sections else [],
            "back_url": page_url(service, journeys.last_page(journey), mode=mode),
            "errors": errors,
            "has_errors": bool(errors),
            "base_template": mode.base_template,
            "staff": mode.staff,
            "recording": _recording(journey, mode),
            "draft_token": session.check_token(service, journey.draft, mode.namespace),
            "nearby": [] if mode.staff else journey_nearby(service, journey),
            "handling": handling,
            "where_url": reverse("web:where", args=[slug]),
            "from_profile": (
                prefill.from_profile(request.user, journey.definition, journey.answers)  # type: ignore[arg-type]
                if _profile_questions(request, journey, mode)
                else set()
            ),
        },
        status=409 if request.method == "POST" and handling and handling.elsewhere else 200,
    )


def submit_elsewhere(
    request: HttpRequest, service: Service, journey: journeys.Journey | None, mode: Mode
) -> HttpResponse | None:
    """Where a submit of check answers goes when the session does not hold the
    draft the form names (its token), or holds none; None to send the session's
    draft as usual.

    The first of a double click, or of several identical submits, changes the
    session's key, so the others carry the old one, and a submit can finish
    while another is reading the session. Each is shown the confirmation of
    the case the named draft became, with the same reference. A form that
    showed other answers than the session's draft now holds is shown again."""
    named = session.checked_draft_id(request, service, mode.namespace)
    current = journey.draft if journey is not None else None
    if named is not None and (current is None or str(current.pk) != named):
        actor = request.user if mode.staff else None
        sent = journeys.journey_sent(service=service, draft_id=named, actor=actor)  # type: ignore[arg-type]
        if sent is not None:
            session.remember_submission(request, service, sent, mode.namespace)
            return redirect(f"{mode.namespace}:done", slug=service.slug)
        if current is not None:
            return redirect(f"{mode.namespace}:check", slug=service.slug)
    if current is None:
        if session.submitted_case(request, service, mode.namespace):
            return redirect(f"{mode.namespace}:done", slug=service.slug)  # a repeated submit
        return redirect(f"{mode.namespace}:start", slug=service.slug)
    return None


def confirmation(
    request: HttpRequest, slug: str, mode: Mode = RESIDENT, updates: Form | None = None
) -> HttpResponse:
    """The reference, and the choice of how to hear about it (`updates`: that
    form sent back with errors)."""
    from townhall.web.updates_views import updates_form

    service = journey_service(request, slug, mode)
    case = session.submitted_case(request, service, mode.namespace)
    if case is None:
        return redirect(f"{mode.namespace}:start", slug=slug)
    definition = case.service_version.parsed
    template = "backoffice/assisted/done.html" if mode.staff else "web/done.html"
    return render(
        request,
        template,
        {
            "service": service,
            "definition": definition,
            "case": case,
            "updates_form": updates or updates_form(case),
            "updates_url": reverse(f"{mode.namespace}:updates", kwargs={"slug": slug}),
            "has_errors": bool(updates is not None and updates.errors),
        },
        status=400 if updates is not None else 200,
    )


@require_http_methods(["GET", "POST"])
def save_for_later(request: HttpRequest, slug: str) -> HttpResponse:
    """Email the resident a link that brings their answers back."""
    service = resident_service(request, slug)
    if (elsewhere := sign_in_first(request, service)) is not None:
        return elsewhere
    draft = session.current_draft(request, service)
    try:
        journey = journey_for(request, service, RESIDENT) if draft is not None else None
    except journeys.SignInNeeded:
        journey = None
    if journey is None or draft is None or not journey.can_save:
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
    if (elsewhere := sign_in_first(request, service)) is not None:
        return elsewhere
    try:
        draft = resume.draft_for_token(service=service, token=token)
    except signing.SignatureExpired:
        return render(request, "web/resume_invalid.html", {"service": service, "expired": True})
    except (signing.BadSignature, Draft.DoesNotExist):
        return render(request, "web/resume_invalid.html", {"service": service, "expired": False})
    try:
        journey = journeys.journey_open(
            service=service, draft=draft, resident=signed_in_resident(request)
        )
    except journeys.SignInNeeded:  # another resident's draft
        return render(request, "web/resume_invalid.html", {"service": service, "expired": False})
    session.remember_draft(request, service, draft)
    if journey.definition.has_sections:
        return redirect("web:tasks", slug=slug)
    return redirect(page_url(service, journeys.first_gap(journey)))
