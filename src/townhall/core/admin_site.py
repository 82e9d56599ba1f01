"""Django's admin site, asking for the second factor as the back office does:
a password alone does not open it for anyone who needs a second factor
(everyone with admin site access). Signing in to it goes through the back
office's second step."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.admin import AdminSite
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from townhall.tenancy.selectors import second_factor_done, staff_organisation


class TownhallAdminSite(AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and _done(request)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        user = request.user
        if (
            request.method == "GET"
            and user.is_authenticated
            and user.is_active
            and user.is_staff
            and not _done(request)
        ):
            wanted = request.GET.get("next") or reverse("admin:index")
            query = urlencode({"next": wanted})
            response: HttpResponse = redirect(f"{reverse('backoffice:sign-in-code')}?{query}")
            return response
        return super().login(request, extra_context)


def _done(request: HttpRequest) -> bool:
    return second_factor_done(request, staff_organisation(user=request.user))
