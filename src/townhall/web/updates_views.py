"""Choosing how to hear about a case (after sending it, on the confirmation
page) and stopping updates (the link in every message)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from townhall.cases.models import Case, UpdatesBy
from townhall.cases.updates import (
    UpdatesRefused,
    case_for_stop_token,
    case_updates_choose,
    case_updates_stop,
    updates_offered,
)
from townhall.web import journey as session
from townhall.web.forms import UpdatesForm
from townhall.web.modes import RESIDENT, Mode

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def updates_form(case: Case, data: dict[str, str] | None = None) -> UpdatesForm:
    """The form for `case`: the ways its council can send, and no updates."""
    offered: list[tuple[str, StrOrPromise]] = [
        (choice, UpdatesBy(choice).label) for choice in updates_offered(case)
    ]
    offered.append((UpdatesBy.NONE, _("I do not want updates")))
    initial = {"updates_by": case.updates_by or (UpdatesBy.EMAIL if case.contact_email else "")}
    return UpdatesForm(data, offered=offered, has_email=bool(case.contact_email), initial=initial)


@require_http_methods(["GET", "POST"])
def updates_choose(request: HttpRequest, slug: str, mode: Mode = RESIDENT) -> HttpResponse:
    """Save the way chosen on the confirmation page, or show it again with
    what to put right. (GET: the confirmation page, where the form is.)"""
    from townhall.web.form_views import confirmation, journey_service

    service = journey_service(request, slug, mode)
    case = session.submitted_case(request, service, mode.namespace)
    if case is None:
        return redirect(f"{mode.namespace}:start", slug=slug)
    if request.method == "GET":
        return redirect(f"{mode.namespace}:done", slug=slug)
    form = updates_form(case, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            case_updates_choose(
                case=case,
                updates_by=data["updates_by"],
                actor=request.user if mode.staff else None,  # type: ignore[arg-type]
                email=data["email"],
                phone=data["phone"],
                address=data["address"],
                postcode=data["postcode"],
            )
        except UpdatesRefused as refusal:
            form.add_error("updates_by", str(refusal))
        else:
            messages.success(request, _("Your choice of updates is saved."))
            return redirect(f"{mode.namespace}:done", slug=slug)
    return confirmation(request, slug, mode, updates=form)


@csrf_exempt  # mail programs post to it (RFC 8058); the signed link is the authority
@require_http_methods(["GET", "POST"])
def updates_stop(request: HttpRequest, token: str) -> HttpResponse:
    """The link in every message. GET asks to confirm with one button (so a
    mail scanner following links stops nothing); POST stops updates, also
    when a mail program posts to it (one-click unsubscribe)."""
    case = case_for_stop_token(token)
    if case is None:
        raise Http404("No such link")
    if request.method == "POST":
        case_updates_stop(case=case)
        return render(request, "web/updates_stopped.html", {"case": case})
    return render(request, "web/updates_stop.html", {"case": case})
