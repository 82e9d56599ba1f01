"""Demand avoidance for residents: open reports near the place they give,
offered on check answers, and joining one ("I have this problem too")
instead of sending theirs; stopping a supporter's updates; answering "is it
really fixed?"; and the photos of a public report whose service publishes
them."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from townhall.cases import journey as journeys
from townhall.cases.conditions import answers_point
from townhall.cases.fix_checks import FixCheckClosed, fix_check_answer, fix_check_from_token
from townhall.cases.models import Attachment, Case
from townhall.cases.nearby import NearbyCase, nearby_cases, nearby_offered
from townhall.cases.public import IMAGE_TYPES
from townhall.cases.services import draft_discard
from townhall.cases.supporters import (
    SupportRefused,
    case_support,
    supporter_for_stop_token,
    supporter_stop,
)
from townhall.cases.thumbnails import thumbnail_bytes
from townhall.catalogue.engine.languages import active_language
from townhall.catalogue.models import Service
from townhall.core.form_fields import EmailAddressField
from townhall.insight.reports import public_cases
from townhall.tenancy.selectors import site_organisations
from townhall.web import journey as session
from townhall.web.form_views import journey_for, resident_service
from townhall.web.modes import RESIDENT


class SameProblemForm(forms.Form):
    email = EmailAddressField(help_text=_("We will email you when the report changes."))


class FixedForm(forms.Form):
    fixed = forms.ChoiceField(
        label=_("Is it fixed?"),
        choices=[("yes", _("Yes, it is fixed")), ("no", _("No, it is not fixed"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Select yes if it is fixed")},
    )


def journey_nearby(service: Service, journey: journeys.Journey) -> list[NearbyCase]:
    """Open reports near the place in the journey's answers (none for a
    private service, or without a place)."""
    definition = journey.definition
    if not nearby_offered(definition):
        return []
    point = answers_point(definition, journey.answers)
    if point is None:
        return []
    return nearby_cases(service=service, definition=definition, lon=point[0], lat=point[1])


@require_http_methods(["GET", "POST"])
def same_problem(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    """Join a nearby open report instead of sending one's own: only a report
    the check answers page offered for this resident's place."""
    service = resident_service(request, slug)
    journey = journey_for(request, service, RESIDENT)
    if journey.draft is None:
        return redirect("web:start", slug=slug)
    chosen = next((n for n in journey_nearby(service, journey) if n.reference == reference), None)
    if chosen is None:
        return redirect("web:check", slug=slug)  # no longer open, or never near
    contact = journey.definition.contact_question
    initial = {"email": journey.answers.get(contact.id, "")} if contact else {}
    form = SameProblemForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        case = Case.objects.get(reference=chosen.reference)
        try:
            case_support(case=case, email=form.cleaned_data["email"], language=active_language())
        except SupportRefused:
            return redirect("web:check", slug=slug)
        draft_discard(draft=journey.draft)
        session.forget_draft(request, service)
        return render(
            request,
            "web/same_problem_done.html",
            {"service": service, "definition": journey.definition, "report": chosen},
        )
    return render(
        request,
        "web/same_problem.html",
        {
            "service": service,
            "definition": journey.definition,
            "report": chosen,
            "form": form,
            "has_errors": bool(form.errors),
        },
        status=400 if form.errors else 200,
    )


@csrf_exempt  # mail programs post to it (RFC 8058); the signed link is the authority
@require_http_methods(["GET", "POST"])
def supporter_stop_view(request: HttpRequest, token: str) -> HttpResponse:
    supporter = supporter_for_stop_token(token)
    if supporter is None:
        raise Http404("No such link")
    stopped = supporter.stopped_at is not None
    if request.method == "POST":
        supporter_stop(supporter=supporter)
        return render(
            request, "web/supporter_stopped.html", {"reference": supporter.case.reference}
        )
    return render(
        request,
        "web/supporter_stop.html",
        {"reference": supporter.case.reference, "stopped": stopped},
    )


@require_http_methods(["GET", "POST"])
def fixed(request: HttpRequest, token: str) -> HttpResponse:
    """ "Is it really fixed?", from the closing message or the tracking page."""
    check = fix_check_from_token(token)
    if check is None:
        raise Http404("No such link")
    case = check.case
    form = FixedForm(request.POST if request.method == "POST" else None)
    closed = ""
    if check.answered_at is not None:
        closed = str(_("You have already told us whether this was fixed. Thank you."))
    elif request.method == "POST" and form.is_valid():
        try:
            check = fix_check_answer(check=check, fixed=form.cleaned_data["fixed"] == "yes")
        except FixCheckClosed as error:
            closed = str(error)
        else:
            return render(request, "web/fixed_done.html", {"check": check, "case": case})
    return render(
        request,
        "web/fixed.html",
        {"case": case, "form": form, "closed": closed, "has_errors": bool(form.errors)},
        status=400 if form.errors else 200,
    )


@require_GET
@cache_control(max_age=3600, public=True)
def report_photo(request: HttpRequest, reference: str, photo_id: str) -> HttpResponse:
    """A thumbnail of a photo on a public report whose service publishes photos."""
    case = (
        public_cases(organisations=site_organisations(request))
        .filter(reference__iexact=reference)
        .select_related("service_version")
        .first()
    )
    if case is None or not case.service_version.parsed.publish_photos:
        raise Http404("No such photo")
    try:
        attachment = Attachment.objects.from_resident().get(
            pk=photo_id, case=case, content_type__in=IMAGE_TYPES
        )
    except (Attachment.DoesNotExist, ValidationError) as error:
        raise Http404("No such photo") from error
    image = thumbnail_bytes(attachment)
    if image is None:
        raise Http404("No such photo")
    return HttpResponse(image, content_type="image/jpeg")
