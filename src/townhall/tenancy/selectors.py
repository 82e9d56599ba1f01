"""Reads about councils and who works for them."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest

from townhall.accounts.models import User
from townhall.accounts.two_factor import has_second_factor
from townhall.core import memo
from townhall.tenancy.models import Membership, Organisation, Site


def staff_membership(*, user: User | AnonymousUser) -> Membership | None:
    """A signed-in staff member's membership of the council they work for (with
    its organisation and role), or None for everyone else.

    A person with memberships of several councils works in the first by name
    until the back office grows a switcher; their role is the one they hold there.
    """
    if not user.is_authenticated or not user.is_active:
        return None
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name")
    ).first()


def staff_organisation(*, user: User | AnonymousUser) -> Organisation | None:
    """The council a signed-in staff member works for, or None for everyone else."""
    membership = staff_membership(user=user)
    return membership.organisation if membership else None


def current_site(request: HttpRequest) -> Site | None:
    """The Site answering the request's host name, looked up once per request."""
    if not hasattr(request, "_townhall_site"):
        try:
            host = request.get_host()
        except DisallowedHost:
            # Error pages for a bad Host header still render, with no council.
            request._townhall_site = None  # type: ignore[attr-defined]
        else:
            request._townhall_site = memo.remembered(  # type: ignore[attr-defined]
                ("site", host), lambda: Site.objects.for_host(host)
            )
    return request._townhall_site  # type: ignore[attr-defined]


def site_organisations(request: HttpRequest) -> list[Organisation]:
    """The councils whose services the requested site shows."""
    site = current_site(request)
    if site is None:
        return []
    return memo.remembered(("site-organisations", site.pk), lambda: list(site.organisations.all()))


def public_url_for(organisation: Organisation) -> str:
    """Where the council's residents reach Townhall, for links in emails: the
    address of a site that shows its services, else the installation's."""
    site = (
        Site.objects.filter(organisations=organisation)
        .exclude(public_url="")
        .order_by("-is_default", "host")
        .first()
    )
    return (site.public_url if site else settings.TOWNHALL_PUBLIC_URL).rstrip("/")


def second_factor_required(*, user: User, organisation: Organisation | None) -> bool:
    """Whether `user` must give a second factor to use the back office: always
    for someone with admin site access or who has set one up, and for all
    staff of a council that requires it (the default)."""
    if organisation is not None and organisation.require_two_factor:
        return True
    return user.is_staff or has_second_factor(user)


def second_factor_done(request: HttpRequest, organisation: Organisation | None) -> bool:
    """Whether the person signed in on `request` has given the second factor
    they need as staff of `organisation` (see `second_factor_required`)."""
    # Right after the password step, `request.user` is the user `login()` set,
    # not yet looked at by django-otp's middleware: not verified.
    is_verified = getattr(request.user, "is_verified", None)
    if is_verified is not None and is_verified():
        return True
    return not second_factor_required(user=request.user, organisation=organisation)  # type: ignore[arg-type]
