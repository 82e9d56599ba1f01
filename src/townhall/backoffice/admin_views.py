"""A person's own account page (their second factor, their recent sign-ins)
and an organisation admin's pages: the council's sign-in rule, its staff's
sign-ins, and the audit log with its CSV export."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from townhall.accounts import two_factor
from townhall.accounts.models import SignIn, User
from townhall.audit.models import AuditEntry
from townhall.audit.selectors import audit_entries, audit_page
from townhall.audit.services import audit_record
from townhall.backoffice.access import permission_required, signed_in_required
from townhall.backoffice.sign_in_forms import AuditSearchForm, SecurityForm
from townhall.tenancy.permissions import Permission

RECENT_SIGN_INS = 20
COUNCIL_SIGN_INS = 100
AUDIT_PAGE_SIZE = 50


@require_GET
@signed_in_required()
def account(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "backoffice/account/index.html",
        {
            "has_authenticator": two_factor.has_authenticator(user),
            "codes_left": two_factor.recovery_codes_left(user),
            "sign_ins": SignIn.objects.filter(user=user).order_by("-at", "-id")[:RECENT_SIGN_INS],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(Permission.ADMINISTER)
def council_security(request: HttpRequest) -> HttpResponse:
    """Whether the council's staff need a second factor; a change is audited."""
    organisation = request.organisation  # type: ignore[attr-defined]
    form = SecurityForm(
        request.POST if request.method == "POST" else None,
        initial={"require_two_factor": organisation.require_two_factor},
    )
    if request.method == "POST" and form.is_valid():
        wanted = form.cleaned_data["require_two_factor"]
        if wanted != organisation.require_two_factor:
            with transaction.atomic():
                organisation.require_two_factor = wanted
                organisation.save(update_fields=["require_two_factor"])
                audit_record(
                    organisation=organisation,
                    actor=request.user,  # type: ignore[arg-type]
                    action=AuditEntry.Action.CHANGED_SETTING,
                    detail=f"require_two_factor: {'on' if wanted else 'off'}",
                )
        messages.success(request, _("Sign-in rules saved."))
        return redirect("backoffice:council-security")
    return render(request, "backoffice/council/security.html", {"form": form})


@require_GET
@permission_required(Permission.ADMINISTER)
def council_sign_ins(request: HttpRequest) -> HttpResponse:
    """The latest sign-ins, successful and failed, of the council's staff."""
    organisation = request.organisation  # type: ignore[attr-defined]
    sign_ins = (
        SignIn.objects.filter(user__memberships__organisation=organisation)
        .select_related("user")
        .order_by("-at", "-id")[:COUNCIL_SIGN_INS]
    )
    return render(request, "backoffice/council/sign_ins.html", {"sign_ins": sign_ins})


def _after(value: str) -> tuple[datetime, int] | None:
    """The keyset of the next page, from `?after=<time>_<id>`; None if not one."""
    at_text, _sep, pk_text = value.rpartition("_")
    at = parse_datetime(at_text) if at_text else None
    if at is None or not pk_text.isdigit() or timezone.is_naive(at):
        return None
    return at, int(pk_text)


@require_GET
@permission_required(Permission.ADMINISTER)
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditSearchForm(request.GET)
    if not form.is_valid():
        return render(
            request,
            "backoffice/audit/index.html",
            {"form": form, "entries": [], "has_errors": True},
            status=400,
        )
    entries = audit_entries(organisation=request.organisation, search=form.search())  # type: ignore[attr-defined]
    rows, next_key = audit_page(
        entries=entries, after=_after(request.GET.get("after", "")), size=AUDIT_PAGE_SIZE
    )
    query = request.GET.copy()
    query.pop("after", None)
    if next_key:
        query["after"] = f"{next_key[0].isoformat()}_{next_key[1]}"
    return render(
        request,
        "backoffice/audit/index.html",
        {
            "form": form,
            "entries": rows,
            "next_query": query.urlencode() if next_key else "",
            "export_query": request.GET.urlencode(),
        },
    )


def _csv_rows(entries: Iterator[AuditEntry]) -> Iterator[list[str]]:
    yield ["when", "staff", "action", "case_reference", "personal_data", "detail"]
    for entry in entries:
        yield [
            entry.at.isoformat(),
            entry.actor.email,
            entry.action,
            entry.case_reference,
            entry.personal_data,
            entry.detail,
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _safe(value: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return f"'{value}" if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


@require_GET
@permission_required(Permission.ADMINISTER)
def audit_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The log's entries matching the search, as CSV; the export is itself logged."""
    form = AuditSearchForm(request.GET)
    if not form.is_valid():
        return redirect(f"{reverse('backoffice:audit')}?{request.GET.urlencode()}")
    organisation = request.organisation  # type: ignore[attr-defined]
    search = form.search()
    audit_record(
        organisation=organisation,
        actor=request.user,  # type: ignore[arg-type]
        action=AuditEntry.Action.EXPORTED,
        detail=f"audit log: {request.GET.urlencode()}",
    )
    entries = audit_entries(organisation=organisation, search=search).iterator(chunk_size=2000)
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow([_safe(cell) for cell in row]) for row in _csv_rows(entries)),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response
