"""The council's set-up in the back office: its teams (add, rename, choose
members) for organisation admins, and its response templates (add, change,
delete) for service designers and organisation admins. Every change is in
the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from townhall.audit.models import AuditEntry
from townhall.audit.services import audit_record
from townhall.backoffice.access import permission_required
from townhall.backoffice.setup_forms import ResponseTemplateForm, TeamCreateForm, TeamEditForm
from townhall.cases.models import ResponseTemplate
from townhall.cases.response_templates import response_template_save, service_states
from townhall.catalogue.models import Service
from townhall.tenancy.models import Membership, Team
from townhall.tenancy.permissions import Permission
from townhall.tenancy.teams import TeamRefused, team_create, team_update


def _setting_changed(request: HttpRequest, detail: str) -> None:
    audit_record(
        organisation=request.organisation,  # type: ignore[attr-defined]
        actor=request.user,  # type: ignore[arg-type]
        action=AuditEntry.Action.CHANGED_SETTING,
        detail=detail,
    )


@require_http_methods(["GET", "POST"])
@permission_required(Permission.ADMINISTER)
def team_list(request: HttpRequest) -> HttpResponse:
    """The council's teams with how many members each has, and adding one."""
    organisation = request.organisation  # type: ignore[attr-defined]
    form = TeamCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                team = team_create(
                    organisation=organisation,
                    slug=form.cleaned_data["slug"],
                    name=form.cleaned_data["name"],
                )
                _setting_changed(request, f"team added: {team.slug}")
        except TeamRefused:
            form.add_error("slug", _("Another team already has that short name"))
        else:
            messages.success(request, _("Team added."))
            return redirect("backoffice:team", pk=team.pk)
    teams = Team.objects.for_organisation(organisation).annotate(member_count=Count("members"))
    return render(
        request,
        "backoffice/council/teams.html",
        {"teams": list(teams), "form": form, "has_errors": bool(form.errors)},
        status=400 if form.errors else 200,
    )


def _staff_choices(request: HttpRequest) -> list[tuple[str, str]]:
    memberships = (
        Membership.objects.filter(organisation=request.organisation)  # type: ignore[attr-defined]
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__email")
    )
    return [
        (
            str(m.pk),
            f"{m.user.get_full_name() or m.user.email} ({m.get_role_display()})",
        )
        for m in memberships
    ]


@require_http_methods(["GET", "POST"])
@permission_required(Permission.ADMINISTER)
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename a team and choose its members."""
    team = Team.objects.for_organisation(request.organisation).filter(pk=pk).first()  # type: ignore[attr-defined]
    if team is None:
        raise Http404("No such team")
    initial = {
        "name": team.name,
        "members": [str(p) for p in team.members.values_list("pk", flat=True)],
    }
    form = TeamEditForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        staff=_staff_choices(request),
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            joined, left = team_update(
                team=team,
                name=form.cleaned_data["name"],
                member_ids=[int(v) for v in form.cleaned_data["members"]],
            )
            _setting_changed(request, f"team {team.slug}: name, {joined} joined, {left} left")
        messages.success(request, _("Team saved."))
        return redirect("backoffice:teams")
    return render(
        request,
        "backoffice/council/team.html",
        {"team": team, "form": form, "has_errors": bool(form.errors)},
        status=400 if form.errors else 200,
    )


def _services(request: HttpRequest) -> list[Service]:
    return list(
        Service.objects.for_organisation(request.organisation)  # type: ignore[attr-defined]
        .select_related("published_version")
        .order_by("name")
    )


def _template_form(
    request: HttpRequest, **kwargs: Any
) -> tuple[ResponseTemplateForm, list[Service]]:
    services = _services(request)
    states = {str(pk): choices for pk, choices in service_states(services).items()}
    form = ResponseTemplateForm(
        request.POST if request.method == "POST" else None,
        services=[(str(s.pk), s.name) for s in services],
        states=states,
        **kwargs,
    )
    return form, services


def _template(request: HttpRequest, pk: int) -> ResponseTemplate:
    template = ResponseTemplate.objects.filter(
        organisation=request.organisation,  # type: ignore[attr-defined]
        pk=pk,
    ).first()
    if template is None:
        raise Http404("No such template")
    return template


@require_http_methods(["GET"])
@permission_required(Permission.MANAGE_SERVICES)
def response_template_list(request: HttpRequest) -> HttpResponse:
    templates = ResponseTemplate.objects.filter(
        organisation=request.organisation  # type: ignore[attr-defined]
    ).select_related("service")
    return render(
        request, "backoffice/response_templates/list.html", {"templates": list(templates)}
    )


@require_http_methods(["GET", "POST"])
@permission_required(Permission.MANAGE_SERVICES)
def response_template_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Add a response template, or change one (`pk`)."""
    template = _template(request, pk) if pk is not None else None
    initial = (
        {
            "name": template.name,
            "service": str(template.service_id or ""),
            "state": template.state,
            "text": template.text,
        }
        if template
        else {}
    )
    form, services = _template_form(request, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        service = {str(s.pk): s for s in services}.get(data["service"])
        with transaction.atomic():
            saved = response_template_save(
                organisation=request.organisation,  # type: ignore[attr-defined]
                name=data["name"],
                text=data["text"],
                service=service,
                state=data["state"],
                template=template,
            )
            verb = "changed" if template else "added"
            _setting_changed(request, f"response template {verb}: {saved.pk}")
        messages.success(request, _("Response template saved."))
        return redirect("backoffice:response-templates")
    return render(
        request,
        "backoffice/response_templates/edit.html",
        {"template": template, "form": form, "has_errors": bool(form.errors)},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@permission_required(Permission.MANAGE_SERVICES)
def response_template_delete(request: HttpRequest, pk: int) -> HttpResponse:
    template = _template(request, pk)
    if request.method == "POST":
        with transaction.atomic():
            _setting_changed(request, f"response template deleted: {template.pk}")
            template.delete()
        messages.success(request, _("Response template deleted."))
        return redirect("backoffice:response-templates")
    return render(request, "backoffice/response_templates/delete.html", {"template": template})
