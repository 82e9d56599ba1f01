"""Helpers for management commands that act for one council."""

from __future__ import annotations

from django.core.management.base import CommandError

from townhall.tenancy.models import Organisation


def organisation_for(slug: str) -> Organisation:
    """The council with `slug`, or a CommandError listing the ones there are."""
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        known = ", ".join(Organisation.objects.values_list("slug", flat=True)) or "none yet"
        raise CommandError(f"No council has the slug {slug!r} (councils: {known})")
    return organisation
