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

from townhall.tenancy.selectors import second_factor_required, staff_organisation


def second_factor_done(request: HttpRequest) -> bool:
    """Whether the signed-in person has given the second factor they need."""
    user = request.user
    if getattr(user, "is_verified", lambda: False)():
        return True
    return not second_factor_required(
        user=user,  # type: ignore[arg-type]
        organisation=staff_organisation(user=user),
    )


class TownhallAdminSite(AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and second_factor_done(request)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        user = request.user
        if (
            request.method == "GET"
            and user.is_authenticated
            and user.is_active
            and user.is_staff
            and not second_factor_done(request)
        ):
            wanted = request.GET.get("next") or reverse("admin:index")
            query = urlencode({"next": wanted})
            response: HttpResponse = redirect(f"{reverse('backoffice:sign-in-code')}?{query}")
            return response
        return super().login(request, extra_context)
