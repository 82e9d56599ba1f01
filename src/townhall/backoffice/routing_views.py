"""The routing table in the back office: which council handles a service in
an area. Staff who may see services read their council's rows and the gaps;
service designers and organisation admins add, remove, import and export
them. A council changes only the rows naming it. Someone given the
`places.view_every_council_routing` permission (an installation's
administrator) may read every council's rows and gaps with `?scope=all`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from townhall.backoffice.access import permission_required
from townhall.backoffice.routing_forms import RoutingImportForm, RoutingRuleForm
from townhall.catalogue.models import Service
from townhall.catalogue.place_routing import coverage_gaps
from townhall.places.models import Area, RoutingRule
from townhall.places.routing_table import (
    RoutingFileError,
    routing_export,
    routing_import,
    routing_rule_add,
    routing_rule_remove,
)
from townhall.tenancy.models import Organisation, Team
from townhall.tenancy.permissions import Permission

EVERY_COUNCIL = "places.view_every_council_routing"


def _everyone(request: HttpRequest) -> bool:
    """Whether the page is asked for every council's rows (and may be)."""
    if request.GET.get("scope") != "all":
        return False
    if not request.user.has_perm(EVERY_COUNCIL):
        raise PermissionDenied
    return True


def _rows(request: HttpRequest, everyone: bool) -> list[RoutingRule]:
    rows = RoutingRule.objects.select_related("area", "organisation", "team").defer(
        "area__geometry"
    )
    if not everyone:
        rows = rows.for_organisation(request.organisation)  # type: ignore[attr-defined]
    return list(rows.order_by("service_slug", "lgsl", "area__type", "area__code"))


def _form(request: HttpRequest, data: object = None) -> RoutingRuleForm:
    organisation: Organisation = request.organisation  # type: ignore[attr-defined]
    services = Service.objects.online().for_organisation(organisation).order_by("name")
    types = Area.objects.order_by("type").values_list("type", flat=True).distinct()
    return RoutingRuleForm(
        data,
        services=[(s.slug, s.name) for s in services],
        teams=[(t.slug, t.name) for t in Team.objects.for_organisation(organisation)],
        area_types=[(t, t) for t in types],
    )


@require_GET
@permission_required(Permission.VIEW_SERVICES)
def routing_list(request: HttpRequest) -> HttpResponse:
    everyone = _everyone(request)
    return render(
        request,
        "backoffice/routing/list.html",
        {
            "rows": _rows(request, everyone),
            "everyone": everyone,
            "may_see_everyone": request.user.has_perm(EVERY_COUNCIL),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(Permission.MANAGE_SERVICES)
def routing_add(request: HttpRequest) -> HttpResponse:
    organisation: Organisation = request.organisation  # type: ignore[attr-defined]
    form = _form(request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        team = Team.objects.for_organisation(organisation).filter(slug=data["team"]).first()
        try:
            routing_rule_add(
                organisation=organisation,
                area=data["area"],
                service_slug=data["service"],
                lgsl=data["lgsl"],
                team=team,
            )
        except RoutingFileError as refused:
            form.add_error("area_code", refused.problems[0])
        else:
            messages.success(request, _("Row added."))
            return redirect("backoffice:routing")
    return render(
        request,
        "backoffice/routing/add.html",
        {"form": form, "has_errors": bool(form.errors)},
        status=400 if form.errors else 200,
    )


@require_POST
@permission_required(Permission.MANAGE_SERVICES)
def routing_remove(request: HttpRequest, rule_id: int) -> HttpResponse:
    removed = routing_rule_remove(
        organisation=request.organisation,  # type: ignore[attr-defined]
        rule_id=rule_id,
    )
    if removed:
        messages.success(request, _("Row removed."))
    else:
        messages.info(request, _("That row is not one of your council's: nothing was removed."))
    return redirect("backoffice:routing")


@require_GET
@permission_required(Permission.VIEW_SERVICES)
def routing_download(request: HttpRequest) -> HttpResponse:
    everyone = _everyone(request)
    name = "routing-all" if everyone else f"routing-{request.organisation.slug}"  # type: ignore[attr-defined]
    response = HttpResponse(
        routing_export(_rows(request, everyone)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@require_http_methods(["GET", "POST"])
@permission_required(Permission.MANAGE_SERVICES)
def routing_upload(request: HttpRequest) -> HttpResponse:
    form = RoutingImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            counts = routing_import(
                text=form.cleaned_data["file"],
                organisation=request.organisation,  # type: ignore[attr-defined]
            )
        except RoutingFileError as error:
            problems = error.problems
        else:
            messages.success(
                request,
                _(
                    "Routing table imported: %(added)d added, %(removed)d removed, "
                    "%(unchanged)d unchanged."
                )
                % {"added": counts.added, "removed": counts.removed, "unchanged": counts.unchanged},
            )
            return redirect("backoffice:routing")
    errors = bool(form.errors or problems)
    return render(
        request,
        "backoffice/routing/import.html",
        {"form": form, "problems": problems, "has_errors": errors},
        status=400 if errors else 200,
    )


@require_GET
@permission_required(Permission.VIEW_SERVICES)
def routing_gaps(request: HttpRequest) -> HttpResponse:
    everyone = _everyone(request)
    gaps = coverage_gaps(organisation=None if everyone else request.organisation)  # type: ignore[attr-defined]
    return render(
        request,
        "backoffice/routing/gaps.html",
        {
            "gaps": gaps,
            "everyone": everyone,
            "may_see_everyone": request.user.has_perm(EVERY_COUNCIL),
        },
    )
