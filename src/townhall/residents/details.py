"""A resident's profile: reading it, changing it, and "change once": when
their address or contact details change, each of their open cases is told,
on its timeline and to the council's back-office systems (the
`resident.details_changed` webhook), in the same transaction."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from townhall.accounts.models import User
from townhall.cases.events import event_record
from townhall.cases.models import Case, CaseEvent
from townhall.residents.identity import profile_for
from townhall.residents.models import HouseholdMember, Profile

# What other systems follow: the details a council writes to the resident at.
CONTACT_DETAILS = ("address", "postcode", "phone")
# Where each contact detail is copied on an open case.
CASE_FIELDS = {
    "address": "contact_address",
    "postcode": "contact_postcode",
    "phone": "contact_phone",
}


@dataclass(frozen=True)
class Details:
    """Everything the profile page edits, as the form cleaned it."""

    first_name: str
    last_name: str
    date_of_birth: datetime.date | None
    phone: str
    address: str  # its lines, one a line: first line, second line, town
    postcode: str
    updates_by: str
    language: str


def address_lines(profile: Profile) -> tuple[str, str, str]:
    """The stored address as (line 1, line 2, town)."""
    lines = [line for line in profile.address.splitlines() if line.strip()]
    if not lines:
        return "", "", ""
    if len(lines) == 1:
        return lines[0], "", ""
    return lines[0], ", ".join(lines[1:-1]), lines[-1]


def profile_details_update(*, user: User, details: Details) -> list[str]:
    """Save `details` to the resident's account and profile. Returns the
    contact details that changed; each open case of theirs records the change
    (see `details_changed_record`)."""
    with transaction.atomic():
        profile = Profile.objects.select_for_update().get(pk=profile_for(user).pk)
        changed = {
            name: getattr(details, name)
            for name in CONTACT_DETAILS
            if getattr(profile, name) != getattr(details, name)
        }
        user.first_name, user.last_name = details.first_name, details.last_name
        user.save(update_fields=["first_name", "last_name"])
        for name in ("date_of_birth", "phone", "address", "postcode", "updates_by", "language"):
            setattr(profile, name, getattr(details, name))
        profile.save()
        if changed:
            details_changed_record(user=user, changed=changed)
    return list(changed)


def details_changed_record(*, user: User, changed: Mapping[str, str]) -> int:
    """Tell each open case of `user` that their contact details changed: the
    case's own copy is brought up to date, and a `details_changed` event goes
    on its timeline, carrying only the new values of what changed. Returns how
    many cases. Call inside the transaction that makes the change."""
    cases = list(Case.objects.filter(resident=user, is_open=True, redacted_at__isnull=True))
    for case in cases:
        updates = {CASE_FIELDS[name]: value for name, value in changed.items()}
        Case.objects.filter(pk=case.pk).update(**updates)
        event_record(
            case=case,
            kind=CaseEvent.Kind.DETAILS_CHANGED,
            payload={"fields": sorted(changed), "details": dict(changed)},
        )
    return len(cases)


def household_member_save(
    *,
    user: User,
    name: str,
    relationship: str,
    date_of_birth: datetime.date | None,
    member: HouseholdMember | None = None,
) -> HouseholdMember:
    """Add someone to the resident's household, or change `member`, which must
    be theirs (found with `household_member_for`)."""
    if member is None:
        member = HouseholdMember(profile=profile_for(user))
    elif member.profile_id != user.pk:
        raise PermissionError("not this resident's household")
    member.name, member.relationship, member.date_of_birth = name, relationship, date_of_birth
    member.save()
    return member


def household_member_for(*, user: User, member_id: int) -> HouseholdMember | None:
    """One of the resident's own household, or None (never someone else's)."""
    return HouseholdMember.objects.filter(pk=member_id, profile__user=user).first()


def household_member_remove(*, member: HouseholdMember) -> None:
    member.delete()


def profile_summary(user: User) -> dict[str, Any]:
    """The profile as the resident's own pages and data download show it."""
    profile = profile_for(user)
    return {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "email_verified_at": profile.email_verified_at,
        "date_of_birth": profile.date_of_birth,
        "phone": profile.phone,
        "address": profile.address,
        "postcode": profile.postcode,
        "updates_by": profile.updates_by,
        "language": profile.language,
        "reuse_agreed_at": profile.reuse_agreed_at,
    }
