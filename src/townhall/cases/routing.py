"""Which team a new case goes to, and when it is due: both from the service's
definition, so councils change them without a developer."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from townhall.cases.conditions import condition_context
from townhall.catalogue.engine.conditions import condition_holds
from townhall.catalogue.engine.definition import ServiceDefinition, State
from townhall.tenancy.models import Organisation, Team


def team_for(
    *, organisation: Organisation, definition: ServiceDefinition, answers: Mapping[str, Any]
) -> Team | None:
    """The first matching rule's team, else the default team. A team the council
    does not have (say, an imported definition names one) leaves the case unassigned."""
    routing = definition.routing
    context = condition_context(organisation=organisation, answers=answers)
    slugs = [rule.team for rule in routing.rules if condition_holds(rule.when, answers, context)]
    if routing.team:
        slugs.append(routing.team)
    if not slugs:
        return None
    teams = {t.slug: t for t in Team.objects.for_organisation(organisation).filter(slug__in=slugs)}
    return next((teams[slug] for slug in slugs if slug in teams), None)


def due_at(*, definition: ServiceDefinition, state: State, since: datetime) -> datetime | None:
    """A state's own SLA wins over the service's; closed states are due never."""
    if state.closed:
        return None
    days = state.sla_days or definition.sla_days
    return since + timedelta(days=days) if days else None
