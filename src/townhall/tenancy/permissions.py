"""Who may do what: the one table of staff roles and their permissions.

Every staff view and action checks a permission from here (the back office
through `backoffice.access.permission_required`); menus only follow it. A
role gains or loses a power by editing `ROLE_PERMISSIONS`, nowhere else."""

from __future__ import annotations

import enum

from townhall.tenancy.models import Membership

Role = Membership.Role


class Permission(enum.StrEnum):
    VIEW_CASES = "view_cases"  # the queue, a case, its files
    CHANGE_CASES = "change_cases"  # status changes, notes
    RECORD_CONTACTS = "record_contacts"  # log a contact, record one through a service
    VIEW_SERVICES = "view_services"  # the council's services, versions, downloads
    MANAGE_SERVICES = "manage_services"  # publish and import definitions
    VIEW_INSIGHT = "view_insight"  # reports and figures (no pages yet)
    ADMINISTER = "administer"  # the council's staff and settings (no pages yet)


P = Permission

ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.ADVISER: frozenset({P.VIEW_CASES, P.RECORD_CONTACTS, P.VIEW_SERVICES}),
    Role.CASEWORKER: frozenset({P.VIEW_CASES, P.CHANGE_CASES, P.RECORD_CONTACTS, P.VIEW_SERVICES}),
    Role.TEAM_MANAGER: frozenset(
        {P.VIEW_CASES, P.CHANGE_CASES, P.RECORD_CONTACTS, P.VIEW_SERVICES, P.VIEW_INSIGHT}
    ),
    Role.SERVICE_DESIGNER: frozenset({P.VIEW_SERVICES, P.MANAGE_SERVICES}),
    Role.ORGANISATION_ADMIN: frozenset(Permission),
    Role.ANALYST: frozenset({P.VIEW_INSIGHT}),
}


def role_permissions(role: str) -> frozenset[Permission]:
    """What a role may do; an unknown role may do nothing."""
    return ROLE_PERMISSIONS.get(role, frozenset())


def role_can(role: str, permission: Permission) -> bool:
    """Whether `role` has `permission`."""
    return permission in role_permissions(role)
