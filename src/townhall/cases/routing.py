"""Which team a new case goes to, and when it is due: from the routing table
where a row for the case's place names a team of the council, else from the
service's definition; so councils change them without a developer."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from townhall.cases.conditions import answer_point, condition_context
from townhall.catalogue.engine.conditions import condition_holds
from townhall.catalogue.engine.definition import ServiceDefinition, State
from townhall.core.calendar import region_for, working_days_add
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


def sla_of(*, definition: ServiceDefinition, state: State) -> tuple[int, bool] | None:
    """How long a case may spend from entering `state`: (days, whether they are
    working days). The state's own SLA wins over the service's; None: no SLA."""
    for level in (state, definition):
        if level.sla_working_days:
            return level.sla_working_days, True
        if level.sla_days:
            return level.sla_days, False
    return None


def due_at(
    *,
    definition: ServiceDefinition,
    state: State,
    since: datetime,
    organisation: Organisation | None = None,
) -> datetime | None:
    """When a case that entered `state` at `since` is due: the end of the last
    day it has (in the council's local time), counted in calendar days or in
    working days of the council's bank holiday calendar. A case that arrives on
    a Saturday with 2 working days is due at the end of Tuesday. Closed states
    are due never."""
    if state.closed:
        return None
    sla = sla_of(definition=definition, state=state)
    if sla is None:
        return None
    days, working = sla
    start = timezone.localtime(since).date()
    if working:
        last = working_days_add(start, days, region_for(organisation))
    else:
        last = start + timedelta(days=days)
    return end_of_day(last)


def end_of_day(day: date) -> datetime:
    """The last second of `day` in local time (a due time is a whole day)."""
    return timezone.make_aware(datetime.combine(day, time.max.replace(microsecond=0)))


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
