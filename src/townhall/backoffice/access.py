"""Who may use the back office: signed-in staff with a council membership,
each view only for the roles the permission table (`tenancy.permissions`)
allows. Every staff view is wrapped by `permission_required`, which sets
`request.organisation` and `request.staff_permissions`; every query in those
views is scoped by the organisation."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse

from townhall.tenancy.permissions import Permission, role_permissions
from townhall.tenancy.selectors import staff_membership

View = Callable[..., HttpResponseBase]

# Where each role starts: the first of these pages its permissions open.
HOMES = [
    (Permission.VIEW_CASES, "backoffice:queue"),
    (Permission.RECORD_CONTACTS, "backoffice:contacts"),
    (Permission.VIEW_SERVICES, "backoffice:services"),
    (Permission.VIEW_INSIGHT, "backoffice:insight"),
]


def home_url(permissions: frozenset[Permission]) -> str:
    """The back office's first page for someone with `permissions`: the queue
    for case handlers, the services for a service designer, insight for an
    analyst. A role with no page at all gets the queue, which refuses them."""
    return reverse(next((url for p, url in HOMES if p in permissions), "backoffice:queue"))


def permission_required(permission: Permission) -> Callable[[View], View]:
    """Only for signed-in staff whose role (in the council they work in) has
    `permission`: anyone signed out is sent to sign in, anyone else gets 403."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = staff_membership(user=request.user)
            if membership is None:
                raise PermissionDenied("You are not a member of any council's staff")
            permissions = role_permissions(membership.role)
            request.organisation = membership.organisation  # type: ignore[attr-defined]
            request.staff_permissions = {p.value for p in permissions}  # type: ignore[attr-defined]
            request.staff_home = home_url(permissions)  # type: ignore[attr-defined]
            if permission not in permissions:
                raise PermissionDenied("Your role does not allow this")
            return view(request, *args, **kwargs)

        wrapper.staff_permission = permission  # type: ignore[attr-defined]
        return wrapper

    return decorator


def can(request: HttpRequest, permission: Permission) -> bool:
    """Whether the member of staff making the request (checked by
    `permission_required`) has `permission` too, to show or hide an action."""
    return permission.value in getattr(request, "staff_permissions", set())
