"""Writing a council's teams: add one, rename it, choose its members. Service
definitions route cases to teams by slug, so a team's slug is fixed once made."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction

from townhall.tenancy.models import Membership, Organisation, Team


class TeamRefused(Exception):
    """The change cannot be made (the message says why)."""


def team_create(*, organisation: Organisation, slug: str, name: str) -> Team:
    """A new team of `organisation`; its slug must be new to the council."""
    try:
        with transaction.atomic():
            return Team.objects.create(organisation=organisation, slug=slug, name=name.strip())
    except IntegrityError as error:
        raise TeamRefused("Another team of the council already has that short name") from error


def team_update(*, team: Team, name: str, member_ids: Iterable[int]) -> tuple[int, int]:
    """Rename `team` and make exactly the council's memberships `member_ids`
    its members. Returns how many joined and how many left."""
    wanted = set(
        Membership.objects.filter(
            organisation_id=team.organisation_id, pk__in=member_ids
        ).values_list("pk", flat=True)
    )
    with transaction.atomic():
        team.name = name.strip()
        team.save(update_fields=["name"])
        current = set(team.members.values_list("pk", flat=True))
        team.members.add(*(wanted - current))
        team.members.remove(*(current - wanted))
    return len(wanted - current), len(current - wanted)
