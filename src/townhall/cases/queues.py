"""Queues of cases for staff: which cases, in what order, a page at a time.

A queue is a scoped queryset (`Case.objects.for_organisation(...)`) with
filters, ordered by one column and the id. Pages are found by keyset (the
next page starts after the last case shown), so the thousandth page costs what
the first does; the count stops at `COUNT_CAP` ("10,000+"), so counting never
reads a million rows. Each ordering has an index (`Case.Meta.indexes`)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import DateTimeField, ExpressionWrapper, F, Q, Value
from django.utils import timezone

from townhall.accounts.models import User
from townhall.cases import search as case_search
from townhall.cases.models import Case, CaseQuerySet
from townhall.catalogue.models import Service
from townhall.tenancy.models import Organisation, Team

COUNT_CAP = 10_000
# Words match far more cases than an email does: their count stops sooner,
# as PostgreSQL checks each match's text again to count it.
TEXT_COUNT_CAP = 1_000
DEFERRED = ("answers", "search_text")
PAGE_SIZE = 50


class QueueName(enum.StrEnum):
    OPEN = "open"
    MINE = "mine"
    TEAM = "team"
    UNASSIGNED = "unassigned"
    OVERDUE = "overdue"
    UPDATED = "updated"
    CLOSED = "closed"


# The column each queue is ordered by, and whether newest first.
ORDERING: dict[QueueName, tuple[str, bool]] = {
    QueueName.OPEN: ("created_at", False),
    QueueName.MINE: ("created_at", False),
    QueueName.TEAM: ("created_at", False),
    QueueName.UNASSIGNED: ("created_at", False),
    QueueName.OVERDUE: ("due_at", False),
    QueueName.UPDATED: ("updated_at", True),
    QueueName.CLOSED: ("closed_at", True),
}


@dataclass
class Filters:
    """What staff narrowed a queue to; every field optional."""

    service: Service | None = None
    status: str = ""
    team: Team | None = None
    assignee: User | None = None
    area: str = ""
    channel: str = ""
    priority: str = ""
    created_from: date | None = None
    created_to: date | None = None
    updated_from: date | None = None
    updated_to: date | None = None
    search: case_search.Search | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Page:
    cases: list[Case]
    count: int  # capped at cap + 1
    next_after: int | None  # the id the next page starts after
    cap: int = COUNT_CAP

    @property
    def count_capped(self) -> bool:
        return self.count > self.cap


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def queue_cases(
    *,
    organisation: Organisation,
    queue: QueueName,
    user: User,
    user_teams: list[Team],
    filters: Filters,
    now: datetime | None = None,
) -> CaseQuerySet:
    """The organisation's cases in `queue` that pass `filters`, unordered."""
    cases = Case.objects.for_organisation(organisation)
    now = now or timezone.now()
    if queue == QueueName.CLOSED:
        cases = cases.closed()
    elif queue != QueueName.UPDATED:
        cases = cases.open()
    if queue == QueueName.MINE:
        cases = cases.assigned_to(user)
    elif queue == QueueName.TEAM:
        cases = cases.for_teams(user_teams)
    elif queue == QueueName.UNASSIGNED:
        cases = cases.unassigned()
    elif queue == QueueName.OVERDUE:
        cases = cases.overdue(now)
    return _filtered(cases, filters)


def _filtered(cases: CaseQuerySet, filters: Filters) -> CaseQuerySet:
    exact = {
        "service": filters.service,
        "status": filters.status,
        "team": filters.team,
        "assignee": filters.assignee,
        "channel": filters.channel,
        "priority": filters.priority,
    }
    cases = cases.filter(**{key: value for key, value in exact.items() if value})
    if filters.area:
        if connection.vendor == "postgresql":
            cases = cases.filter(area_codes__contains=[filters.area])
        else:  # SQLite's JSON has no containment: the code, quoted, in the list's text
            cases = cases.filter(area_codes__icontains=f'"{filters.area}"')
    ranges = [
        ("created_at__gte", filters.created_from, 0),
        ("created_at__lt", filters.created_to, 1),
        ("updated_at__gte", filters.updated_from, 0),
        ("updated_at__lt", filters.updated_to, 1),
    ]
    for lookup, day, days_after in ranges:
        if day is not None:
            cases = cases.filter(**{lookup: _day_start(day + timedelta(days=days_after))})
    if filters.search is not None:
        cases = case_search.apply(cases, filters.search)
    return cases


def queue_page(
    cases: CaseQuerySet,
    *,
    queue: QueueName,
    after: int | None = None,
    size: int = PAGE_SIZE,
    by_sort: bool = False,
    count_cap: int = COUNT_CAP,
) -> Page:
    """One page of `cases` in the queue's order, starting after the case with
    id `after` (one of `cases`; any other id starts from the top). A constant
    number of queries, whatever the page: the cursor's row, the count, the page.
    `by_sort`: the cases are narrowed by a date other than the one they are
    ordered by (see below)."""
    column, newest_first = ORDERING[queue]
    key: Any = F(column)
    if by_sort and connection.vendor == "postgresql":
        # Narrowed by another date: PostgreSQL would walk the ordering's index
        # hoping to meet matches early, which dates far back make slow. An
        # expression no index gives makes it find the matches, then sort them.
        key = ExpressionWrapper(F(column) + Value(timedelta(0)), output_field=DateTimeField())
    ordered = cases.order_by(*((key.desc(), "-pk") if newest_first else (key.asc(), "pk")))
    count = cases.order_by()[: count_cap + 1].count()
    if after is not None:
        cursor = cases.filter(pk=after).values_list(column, flat=True).first()
        if cursor is not None:
            # The first condition bounds the index scan; the second breaks ties.
            if newest_first:
                keyset = Q(**{f"{column}__lte": cursor}) & (
                    Q(**{f"{column}__lt": cursor}) | Q(pk__lt=after)
                )
            else:
                keyset = Q(**{f"{column}__gte": cursor}) & (
                    Q(**{f"{column}__gt": cursor}) | Q(pk__gt=after)
                )
            ordered = ordered.filter(keyset)
    wanted = ordered.select_related("service", "team", "assignee").prefetch_related(
        "service_version"
    )
    if by_sort:
        # Sort the matching ids alone, then read the page's rows: sorting
        # thousands of narrow rows is quick, thousands of joined ones is not.
        ids = list(ordered.values_list("pk", flat=True)[: size + 1])
        found = {case.pk: case for case in wanted.order_by().filter(pk__in=ids).defer(*DEFERRED)}
        rows = [found[pk] for pk in ids if pk in found]
    else:
        rows = list(wanted.defer(*DEFERRED)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(cases=rows, count=count, next_after=rows[-1].pk if more else None, cap=count_cap)
