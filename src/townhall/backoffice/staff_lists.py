"""The council's short lists a queue or case page offers as choices: services
and their statuses, teams, staff, areas, the member of staff's own teams and
saved filters. Loaded once per request, a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from townhall.accounts.models import User
from townhall.cases.models import SavedFilter
from townhall.catalogue.models import Service
from townhall.places.models import Area
from townhall.tenancy.models import Membership, Organisation, Team

AREA_CHOICES_LIMIT = 500


@dataclass(frozen=True)
class StaffLists:
    services: list[Service]
    teams: list[Team]
    staff: list[User]
    areas: list[tuple[str, str]]
    my_teams: list[Team]
    saved_filters: list[SavedFilter]

    @property
    def service_by_id(self) -> dict[str, Service]:
        return {str(s.pk): s for s in self.services}

    @property
    def team_by_id(self) -> dict[str, Team]:
        return {t.slug: t for t in self.teams}

    @property
    def staff_by_id(self) -> dict[str, User]:
        return {str(u.pk): u for u in self.staff}

    def statuses(self) -> list[tuple[str, str]]:
        """Every status the services' current versions have, once each."""
        seen: dict[str, str] = {}
        for service in self.services:
            if service.published_version is None:
                continue
            for state in service.published_version.parsed.workflow.states:
                seen.setdefault(state.id, str(state.label))
        return sorted(seen.items(), key=lambda item: item[1])

    def assign_choices(self) -> dict[str, list[tuple[str, str]]]:
        return {
            "teams": [(t.slug, t.name) for t in self.teams],
            "staff": [(str(u.pk), u.get_full_name() or u.email) for u in self.staff],
        }

    def choices(self) -> dict[str, Any]:
        return {
            "services": [(str(s.pk), s.name) for s in self.services],
            "statuses": self.statuses(),
            "areas": self.areas,
            **self.assign_choices(),
        }


def load(*, organisation: Organisation, user: Any) -> StaffLists:
    services = list(
        Service.objects.for_organisation(organisation)
        .select_related("published_version")
        .order_by("name")
    )
    teams = list(Team.objects.for_organisation(organisation))
    memberships = list(
        Membership.objects.filter(organisation=organisation, user__is_active=True)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__email")
    )
    my_teams = list(
        Team.objects.for_organisation(organisation).filter(
            members__user=user, members__organisation=organisation
        )
    )
    areas = [
        (code, f"{name} ({kind})")
        for code, name, kind in Area.objects.filter(organisation=organisation)
        .order_by("type", "name")
        .values_list("code", "name", "type")[:AREA_CHOICES_LIMIT]
    ]
    saved = list(SavedFilter.objects.filter(user=user, organisation=organisation))
    return StaffLists(
        services=services,
        teams=teams,
        staff=[m.user for m in memberships],
        areas=areas,
        my_teams=my_teams,
        saved_filters=saved,
    )
