"""Messages to the resident on the case page: sending one that did not reach
them another way."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from townhall.audit.models import AuditEntry
from townhall.backoffice.access import permission_required
from townhall.cases.models import Case, UpdatesBy
from townhall.cases.notify import message_resend
from townhall.cases.updates import UpdatesRefused, case_updates_choose, updates_offered
from townhall.tenancy.permissions import Permission
from townhall.web.forms import UpdatesForm

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def choose_form_for(case: Case, data: dict[str, str] | None = None) -> UpdatesForm:
    """How the resident hears: the ways the council offers, or no updates."""
    offered: list[tuple[str, StrOrPromise]] = [
        (choice, UpdatesBy(choice).label) for choice in updates_offered(case)
    ]
    offered.append((UpdatesBy.NONE, UpdatesBy.NONE.label))
    initial = {"updates_by": case.updates_by or (UpdatesBy.EMAIL if case.contact_email else "")}
    return UpdatesForm(
        data,
        offered=offered,
        has_email=bool(case.contact_email),
        prefix="updates",
        initial=initial,
    )


@require_POST
@permission_required(Permission.CHANGE_CASES)
def case_updates(request: HttpRequest, reference: str) -> HttpResponse:
    """Change how the resident hears about the case (they asked, by phone say)."""
    from townhall.backoffice.views import _audit, _case, _render_case

    case = _case(request, reference)
    form = choose_form_for(case, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                case_updates_choose(
                    case=case,
                    updates_by=data["updates_by"],
                    actor=request.user,  # type: ignore[arg-type]
                    email=data["email"],
                    phone=data["phone"],
                    address=data["address"],
                    postcode=data["postcode"],
                )
                _audit(
                    request,
                    case,
                    AuditEntry.Action.CHANGED_UPDATES,
                    personal_data="contact details",
                    detail=data["updates_by"],
                )
        except UpdatesRefused as refusal:
            form.add_error("updates_by", str(refusal))
        else:
            messages.success(request, _("How the resident hears about the case is saved."))
            return redirect("backoffice:case", reference=case.reference)
    return _render_case(request, case, updates_form=form, status=400)


def resend_form_for(case: Case, data: dict[str, str] | None = None) -> UpdatesForm:
    """The ways staff can send a message again (not "no updates")."""
    offered: list[tuple[str, StrOrPromise]] = [
        (choice, UpdatesBy(choice).label) for choice in updates_offered(case)
    ]
    return UpdatesForm(data, offered=offered, has_email=bool(case.contact_email), prefix="resend")


@require_POST
@permission_required(Permission.CHANGE_CASES)
def case_message_resend(request: HttpRequest, reference: str, delivery_id: int) -> HttpResponse:
    """Send a message that did not arrive again, by the way chosen, which
    becomes the way the resident hears from now on."""
    from townhall.backoffice.views import _audit, _case, _render_case

    case = _case(request, reference)
    delivery = case.deliveries.filter(pk=delivery_id, event__isnull=False).first()
    if delivery is None:
        raise Http404("No such message")
    form = resend_form_for(case, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                message_resend(
                    delivery=delivery,
                    updates_by=data["updates_by"],
                    actor=request.user,  # type: ignore[arg-type]
                    email=data["email"],
                    phone=data["phone"],
                    address=data["address"],
                    postcode=data["postcode"],
                )
                _audit(
                    request,
                    case,
                    AuditEntry.Action.RESENT_MESSAGE,
                    personal_data="contact details",
                    detail=data["updates_by"],
                )
        except UpdatesRefused as refusal:
            form.add_error("updates_by", str(refusal))
        else:
            messages.success(
                request,
                _("The message is being sent again by %(way)s.")
                % {"way": UpdatesBy(data["updates_by"]).label.lower()},
            )
            return redirect("backoffice:case", reference=case.reference)
    return _render_case(request, case, resend_form=form, status=400)
