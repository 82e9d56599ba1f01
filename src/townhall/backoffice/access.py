"""Who may use the back office: signed-in staff with a council membership,
each view only for the roles the permission table (`tenancy.permissions`)
allows. Every staff view is wrapped by `permission_required`, which sets
`request.organisation` and `request.staff_permissions`; every query in those
views is scoped by the organisation."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse

from townhall.accounts.two_factor import has_second_factor
from townhall.tenancy.permissions import Permission, role_permissions
from townhall.tenancy.selectors import second_factor_done, staff_membership

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
            if not second_factor_done(request, membership.organisation):
                return second_step_redirect(request)
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


def second_step_url(request: HttpRequest, wanted: str) -> str:
    """Where someone signed in with a password goes next to reach `wanted`: the
    code page, or setting up an authenticator if they have no second factor."""
    name = "sign-in-code" if has_second_factor(request.user) else "two-factor-setup"  # type: ignore[arg-type]
    return f"{reverse(f'backoffice:{name}')}?{urlencode({'next': wanted})}"


def second_step_redirect(request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(second_step_url(request, request.get_full_path()))


def signed_in_required(*, verified: bool = True) -> Callable[[View], View]:
    """For any signed-in person's own pages (their account, their second
    factor), whatever their role: anyone signed out is sent to sign in. With
    `verified`, someone who needs a second factor must have given it."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if verified:
                membership = staff_membership(user=request.user)
                organisation = membership.organisation if membership else None
                if not second_factor_done(request, organisation):
                    return second_step_redirect(request)
                if membership is not None:
                    permissions = role_permissions(membership.role)
                    request.organisation = organisation  # type: ignore[attr-defined]
                    request.staff_permissions = {p.value for p in permissions}  # type: ignore[attr-defined]
                    request.staff_home = home_url(permissions)  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        wrapper.staff_signed_in = True  # type: ignore[attr-defined]
        return wrapper

    return decorator
