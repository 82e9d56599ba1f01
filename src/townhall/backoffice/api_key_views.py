"""Organisation admins manage their council's API keys: list them, make one
(shown once, on the page that made it) and revoke one."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from townhall.backoffice.access import permission_required
from townhall.backoffice.forms import ApiKeyForm
from townhall.integrations.keys import api_key_create, api_key_revoke
from townhall.integrations.models import ApiKey
from townhall.tenancy.permissions import Permission


@require_GET
@permission_required(Permission.ADMINISTER)
def api_key_list(request: HttpRequest) -> HttpResponse:
    keys = ApiKey.objects.filter(
        organisation=request.organisation  # type: ignore[attr-defined]
    ).select_related("created_by")
    return render(request, "backoffice/api_keys/list.html", {"keys": keys})


@require_http_methods(["GET", "POST"])
@permission_required(Permission.ADMINISTER)
def api_key_new(request: HttpRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        new = api_key_create(
            organisation=request.organisation,  # type: ignore[attr-defined]
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            created_by=request.user,  # type: ignore[arg-type]
        )
        # Shown in this response only: no redirect, so the key is never in a
        # URL, a session or a page that can be fetched again.
        return render(request, "backoffice/api_keys/created.html", {"new": new})
    return render(request, "backoffice/api_keys/new.html", {"form": form})


@require_POST
@permission_required(Permission.ADMINISTER)
def api_key_revoke_view(request: HttpRequest, key_id: int) -> HttpResponse:
    api_key = ApiKey.objects.filter(
        organisation=request.organisation,  # type: ignore[attr-defined]
        pk=key_id,
    ).first()
    if api_key is None:
        raise Http404("No such API key")
    api_key_revoke(api_key=api_key)
    messages.success(request, _("Key “%(name)s” revoked.") % {"name": api_key.name})
    return redirect("backoffice:api-keys")
