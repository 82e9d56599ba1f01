"""Who may use the back office: signed-in staff with a council membership.
Every staff view is wrapped by `staff_required`, which sets
`request.organisation`; every query in those views is scoped by it."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from townhall.tenancy.models import Membership
from townhall.tenancy.selectors import staff_organisation


def staff_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        organisation = staff_organisation(user=request.user)
        if organisation is None:
            raise PermissionDenied("You are not a member of any council's staff")
        request.organisation = organisation  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


def is_manager(request: HttpRequest) -> bool:
    """Whether the signed-in member of staff is a manager of the council they work in
    (set by `staff_required`)."""
    return Membership.objects.filter(
        user=request.user,  # type: ignore[misc]
        organisation=request.organisation,  # type: ignore[attr-defined]
        role=Membership.Role.MANAGER,
    ).exists()


def manager_required(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """`staff_required`, and only for managers: anyone else gets 403."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_manager(request):
            raise PermissionDenied("Only a manager can do this")
        return view(request, *args, **kwargs)

    return staff_required(wrapper)
