"""Which team a new case goes to, and when it is due: from the routing table
where a row for the case's place names a team of the council, else from the
service's definition; so councils change them without a developer."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from townhall.cases.conditions import answer_point, condition_context
from townhall.catalogue.engine.conditions import condition_holds
from townhall.catalogue.engine.definition import ServiceDefinition, State
from townhall.places.lookup import areas_at
from townhall.places.routing import responsible_for
from townhall.tenancy.models import Organisation, Team


def team_for(
    *, organisation: Organisation, definition: ServiceDefinition, answers: Mapping[str, Any]
) -> Team | None:
    """The team a row of the routing table names for the case's place, if the
    row is this council's; else the definition's first matching rule's team,
    else its default team. A team the council does not have (say, an imported
    definition names one) leaves the case unassigned."""
    table = _table_team(organisation=organisation, definition=definition, answers=answers)
    if table is not None:
        return table
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


def _table_team(
    *, organisation: Organisation, definition: ServiceDefinition, answers: Mapping[str, Any]
) -> Team | None:
    for _page, question in definition.questions():
        point = answer_point(answers.get(question.id)) if question.type == "location" else None
        if point is None:
            continue
        found = responsible_for(
            slug=definition.slug, lgsl=definition.lgsl, areas=areas_at(*point), offering=()
        )
        if found is not None and found.organisation.pk == organisation.pk:
            return found.team
        return None
    return None
