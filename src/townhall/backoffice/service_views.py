"""Staff manage their council's services: list them, preview a version as
residents will see it, publish it, download it, and import a definition file."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from townhall.backoffice import service_preview
from townhall.backoffice.access import can, permission_required
from townhall.backoffice.forms import ServiceImportForm
from townhall.catalogue import transfer
from townhall.catalogue.changes import definition_changes
from townhall.catalogue.engine.definition import DefinitionError
from townhall.catalogue.models import Service, ServiceVersion
from townhall.catalogue.services import service_import, service_publish
from townhall.tenancy.permissions import Permission

# Lists never need the definitions themselves, which can be large.
VERSION_ROWS = ServiceVersion.objects.defer("definition").order_by("-number")


def _version(request: HttpRequest, slug: str, number: int) -> ServiceVersion:
    """The version of this council's service, or 404 (another council's too)."""
    version = (
        ServiceVersion.objects.filter(
            service__organisation=request.organisation,  # type: ignore[attr-defined]
            service__slug=slug,
            number=number,
        )
        .select_related("service")
        .first()
    )
    if version is None:
        raise Http404("No such service version")
    return version


@require_GET
@permission_required(Permission.VIEW_SERVICES)
def service_list(request: HttpRequest) -> HttpResponse:
    services = (
        Service.objects.for_organisation(request.organisation)  # type: ignore[attr-defined]
        .prefetch_related(Prefetch("versions", queryset=VERSION_ROWS, to_attr="version_rows"))
        .order_by("category", "name")
    )
    return render(
        request,
        "backoffice/services/list.html",
        {"services": services, "can_manage": can(request, Permission.MANAGE_SERVICES)},
    )


def _render_version(
    request: HttpRequest, version: ServiceVersion, *, status: int = 200
) -> HttpResponse:
    context = {
        "version": version,
        "service": version.service,
        "can_manage": can(request, Permission.MANAGE_SERVICES),
    }
    try:
        definition = version.parsed
    except DefinitionError as error:  # stored under older rules than today's
        context |= {"problems": error.problems, "has_errors": True}
        return render(request, "backoffice/services/version.html", context, status=status)
    context |= {
        "definition": definition,
        "pages": service_preview.page_previews(definition),
        "states": service_preview.state_previews(definition),
        "routing_rules": service_preview.routing_rules(definition),
        "languages": service_preview.language_previews(version.definition),
    }
    return render(request, "backoffice/services/version.html", context, status=status)


@require_GET
@permission_required(Permission.VIEW_SERVICES)
def version_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    return _render_version(request, _version(request, slug, number))


@require_POST
@permission_required(Permission.MANAGE_SERVICES)
def version_publish(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """Publishing is confirmed first: the button on the version's page asks, with
    what changed since the published version; the confirmation publishes."""
    version = _version(request, slug, number)
    if version.status != ServiceVersion.Status.PUBLISHED and request.POST.get("confirm") != "yes":
        try:
            version.parsed  # noqa: B018  # one that no longer parses cannot be published
        except DefinitionError:
            return _render_version(request, version, status=409)
        published = version.service.published_version
        return render(
            request,
            "backoffice/services/publish.html",
            {
                "version": version,
                "service": version.service,
                "published": published,
                "changes": definition_changes(
                    published.definition if published is not None else None, version.definition
                ),
            },
        )
    if version.status != ServiceVersion.Status.PUBLISHED:
        try:
            service_publish(version=version)
        except DefinitionError:
            return _render_version(request, version, status=409)
        messages.success(
            request,
            _("Version %(number)d is published: residents now use it.") % {"number": number},
        )
    return redirect("backoffice:service-version", slug=slug, number=number)


@require_GET
@permission_required(Permission.MANAGE_SERVICES)
def version_export(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    version = _version(request, slug, number)
    response = HttpResponse(
        transfer.definition_dump(version.definition), content_type="application/yaml; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{slug}-v{number}.yaml"
    )
    return response


@require_http_methods(["GET", "POST"])
@permission_required(Permission.MANAGE_SERVICES)
def service_import_upload(request: HttpRequest) -> HttpResponse:
    posted = request.method == "POST"
    form = ServiceImportForm(request.POST, request.FILES) if posted else ServiceImportForm()
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            definition = transfer.definition_read(upload.read(), name=upload.name)
            result = service_import(
                organisation=request.organisation,  # type: ignore[attr-defined]
                definition=definition,
                publish=form.cleaned_data["action"] == "publish",
            )
        except (transfer.TransferError, DefinitionError) as error:
            for problem in error.problems:
                form.add_error("file", problem)
        else:
            messages.success(request, _import_message(result.version, changed=result.changed))
            return redirect(
                "backoffice:service-version", slug=result.service.slug, number=result.version.number
            )
    return render(
        request,
        "backoffice/services/import.html",
        {"form": form, "has_errors": bool(form.errors)},
        status=400 if form.errors else 200,
    )


def _import_message(version: ServiceVersion, *, changed: bool) -> str:
    published = version.status == ServiceVersion.Status.PUBLISHED
    values = {"number": version.number}
    if not changed and published:
        return (
            _(
                "Nothing new: the file is the same as version %(number)d. "
                "It is the published version."
            )
            % values
        )
    if not changed:
        return _("Nothing new: the file is the same as version %(number)d.") % values
    if published:
        return _("Version %(number)d saved and published: residents now use it.") % values
    return _("Version %(number)d saved as a draft.") % values
