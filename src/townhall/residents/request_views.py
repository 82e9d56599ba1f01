"""My requests: a signed-in resident's cases, whatever the channel, and
their unsent applications. Thin views over `residents.requests` (reads)
and `residents.request_actions` (writes). Every case, draft and file is
found through the signed-in person, so another person's is a 404."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from townhall.accounts.models import User
from townhall.cases.models import Case
from townhall.cases.updates import UpdatesRefused
from townhall.core.throttle import throttle_allows
from townhall.residents import request_actions as actions
from townhall.residents import requests as reads
from townhall.residents.request_access import resident_required
from townhall.residents.request_forms import ReplyForm, UpdatesSwitchForm

# Replies one resident may send in REPLY_WINDOW, over all their requests.
REPLY_LIMIT = 20
REPLY_WINDOW = timedelta(hours=1)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _case(request: HttpRequest, reference: str) -> Case:
    case = reads.my_request(_user(request), reference)
    if case is None:
        raise Http404("No such request")
    return case


@require_GET
@resident_required
def request_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request)


def _render_list(
    request: HttpRequest, *, updates_error: str = "", status: int = 200
) -> HttpResponse:
    page, lines = reads.my_requests_page(_user(request), request.GET.get("page"))
    return render(
        request,
        "residents/requests/list.html",
        {
            "page": page,
            "lines": lines,
            "updates_error": updates_error,
            "has_errors": bool(updates_error),
        },
        status=status,
    )


def _render_detail(
    request: HttpRequest,
    case: Case,
    *,
    reply_form: ReplyForm | None = None,
    updates_error: str = "",
    status: int = 200,
) -> HttpResponse:
    awaits = actions.awaits_reply(case)
    context: dict[str, Any] = {
        "case": case,
        "definition": case.service_version.parsed,
        "status": reads.public_state(case).public_label,
        "events": reads.request_timeline(case),
        "sent_messages": reads.request_messages(case),
        "files": reads.request_files(case),
        "awaits_reply": awaits,
        "reply_form": reply_form or (ReplyForm() if awaits else None),
        "can_withdraw": actions.withdrawal_state(case) is not None,
        "updates_on": actions.updates_on(case),
        "updates_error": updates_error,
        "has_errors": bool(reply_form and reply_form.errors) or bool(updates_error),
    }
    return render(request, "residents/requests/detail.html", context, status=status)


@require_GET
@resident_required
def request_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _render_detail(request, _case(request, reference))


@require_GET
@resident_required
def request_file(request: HttpRequest, reference: str, attachment_id: UUID) -> FileResponse:
    """A file the resident uploaded with one of their requests, as a download."""
    attachment = reads.my_attachment(_user(request), reference, attachment_id)
    if attachment is None:
        raise Http404("No such file")
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )


@require_POST
@resident_required
def request_reply(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    form = ReplyForm(request.POST)
    if form.is_valid() and not throttle_allows(
        key=f"resident-reply:{request.user.pk}", limit=REPLY_LIMIT, window=REPLY_WINDOW
    ):
        # Each reply emails staff: the limit stops the account being used to flood them.
        form.add_error(
            "reply",
            _("You have sent many replies in a short while. Wait an hour and try again."),
        )
        return _render_detail(request, case, reply_form=form, status=429)
    if form.is_valid():
        try:
            actions.request_reply(case=case, user=_user(request), text=form.cleaned_data["reply"])
        except actions.RequestActionRefused as refusal:
            form.add_error("reply", str(refusal))
        else:
            messages.success(request, _("Your reply has been sent to the council."))
            return redirect("my_requests:detail", reference=case.reference)
    return _render_detail(request, case, reply_form=form, status=400)


@require_http_methods(["GET", "POST"])
@resident_required
def request_withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    """GET: ask to confirm; POST: withdraw."""
    case = _case(request, reference)
    refused = ""
    if request.method == "POST":
        try:
            actions.request_withdraw(case=case, user=_user(request))
        except actions.RequestActionRefused as refusal:
            refused = str(refusal)
        else:
            messages.success(request, _("Your request has been withdrawn."))
            return redirect("my_requests:detail", reference=case.reference)
    elif actions.withdrawal_state(case) is None:
        refused = _("This request cannot be withdrawn online")
    return render(
        request,
        "residents/requests/withdraw.html",
        {"case": case, "definition": case.service_version.parsed, "refused": refused},
        status=409 if refused else 200,
    )


@require_POST
@resident_required
def request_updates(request: HttpRequest, reference: str) -> HttpResponse:
    """Stop or start updates about one request."""
    case = _case(request, reference)
    form = UpdatesSwitchForm(request.POST)
    if not form.is_valid():
        return _render_detail(
            request, case, updates_error=_("Choose whether to get updates"), status=400
        )
    try:
        if form.cleaned_data["updates"] == "on":
            actions.request_updates_start(case=case, user=_user(request))
            messages.success(request, _("You will get updates about this request."))
        else:
            actions.request_updates_stop(case=case, user=_user(request))
            messages.success(request, _("You will not get updates about this request."))
    except (actions.RequestActionRefused, UpdatesRefused) as refusal:
        return _render_detail(request, case, updates_error=str(refusal), status=400)
    return redirect("my_requests:detail", reference=case.reference)


@require_POST
@resident_required
def updates_all(request: HttpRequest) -> HttpResponse:
    """Stop or start updates about every open request."""
    form = UpdatesSwitchForm(request.POST)
    if not form.is_valid():
        return _render_list(request, updates_error=_("Choose whether to get updates"), status=400)
    on = form.cleaned_data["updates"] == "on"
    actions.requests_updates_all(user=_user(request), on=on)
    messages.success(
        request,
        _("You will get updates about your open requests.")
        if on
        else _("You will not get updates about any of your open requests."),
    )
    return redirect("my_requests:list")


@require_GET
@resident_required
def draft_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "residents/requests/drafts.html", {"drafts": reads.my_drafts(_user(request))}
    )


def _draft(request: HttpRequest, draft_id: UUID) -> Any:
    draft = reads.my_draft(_user(request), draft_id)
    if draft is None:
        raise Http404("No such application")
    return draft


@require_GET
@resident_required
def draft_continue(request: HttpRequest, draft_id: UUID) -> HttpResponse:
    """Back into the application where the resident left it, through the
    save-and-return link's own page (a new link, used at once)."""
    from townhall.web.resume import resume_token

    draft = _draft(request, draft_id)
    service = draft.service_version.service
    return redirect(reverse("web:resume", args=[service.slug, resume_token(draft)]))


@require_http_methods(["GET", "POST"])
@resident_required
def draft_delete(request: HttpRequest, draft_id: UUID) -> HttpResponse:
    """GET: ask to confirm; POST: delete the application and its files."""
    draft = _draft(request, draft_id)
    if request.method == "POST":
        actions.draft_delete(draft=draft, user=_user(request))
        messages.success(request, _("Your application has been deleted."))
        return redirect("my_requests:drafts")
    return render(request, "residents/requests/draft_delete.html", {"draft": draft})
