"""The figures insight shows, each one aggregate query: counts grouped by
the database, never cases or contacts loaded into Python."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import timezone

from townhall.cases.models import Case, Contact
from townhall.catalogue.engine.registry import definition_for_version, definition_known
from townhall.catalogue.models import Service, ServiceVersion
from townhall.insight.figures import Volume, digital_share
from townhall.insight.models import (
    CaseDay,
    ContactDay,
    CouncilRate,
    InsightSharing,
    RollupState,
    TrackingDay,
)
from townhall.insight.periods import Period, period_start
from townhall.insight.rates import RateTable, rate_table
from townhall.insight.rollup import complete_until, live_case_days
from townhall.places.models import Area, AreaType
from townhall.tenancy.models import Organisation


@dataclass(frozen=True)
class DateRange:
    """From the start of `start` to the end of `end`, in the council's time zone."""

    start: date
    end: date

    @property
    def since(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def before(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))


def _contacts(organisation: Organisation, dates: DateRange) -> QuerySet[Contact]:
    return Contact.objects.filter(
        organisation=organisation, created_at__gte=dates.since, created_at__lt=dates.before
    )


def _until(organisation: Organisation) -> date | None:
    """`rollup.complete_until`, asked once per organisation object: one page's
    figures all come from the same cut, with one query for it."""
    if not hasattr(organisation, "_insight_until"):
        organisation._insight_until = complete_until(organisation)  # type: ignore[attr-defined]
    return organisation._insight_until  # type: ignore[attr-defined]


def _split(
    organisation: Organisation, dates: DateRange
) -> tuple[DateRange | None, DateRange | None]:
    """`dates` cut into the days the roll-up tables hold and the days to count live."""
    until = _until(organisation)
    if until is None or dates.start >= until:
        return None, dates
    if dates.end < until:
        return dates, None
    return DateRange(dates.start, until - timedelta(days=1)), DateRange(until, dates.end)


def _rolled_contacts(organisation: Organisation, dates: DateRange) -> QuerySet[ContactDay]:
    return ContactDay.objects.filter(
        organisation=organisation, day__gte=dates.start, day__lte=dates.end
    ).order_by()


def contact_volumes(*, organisation: Organisation, dates: DateRange) -> list[Volume]:
    """Contacts in `dates` by service and channel."""
    rolled, live = _split(organisation, dates)
    totals: dict[tuple[int | None, str], int] = defaultdict(int)
    if rolled:
        for row in (
            _rolled_contacts(organisation, rolled)
            .values("service_id", "channel")
            .annotate(n=Sum("count"))
        ):
            totals[(row["service_id"], row["channel"])] += row["n"]
    if live:
        for row in (
            _contacts(organisation, live)
            .order_by()
            .values("service_id", "channel")
            .annotate(n=Count("id"))
        ):
            totals[(row["service_id"], row["channel"])] += row["n"]
    return [Volume(service_id, channel, n) for (service_id, channel), n in totals.items()]


TRUNCATE = {Period.DAY: TruncDay, Period.WEEK: TruncWeek, Period.MONTH: TruncMonth}


def contact_series(
    *, organisation: Organisation, dates: DateRange, period: Period
) -> dict[date, dict[str, int]]:
    """Contacts in `dates` by period and channel, oldest period first."""
    series: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rolled, live = _split(organisation, dates)
    if rolled:
        for day_row in (
            _rolled_contacts(organisation, rolled).values("day", "channel").annotate(n=Sum("count"))
        ):
            series[period_start(day_row["day"], period)][day_row["channel"]] += day_row["n"]
    if live:
        truncate = TRUNCATE.get(period, TruncMonth)
        for row in (
            _contacts(organisation, live)
            .order_by()
            .annotate(bucket=truncate("created_at"))
            .values("bucket", "channel")
            .annotate(n=Count("id"))
        ):
            bucket = row["bucket"]
            day = timezone.localtime(bucket).date() if isinstance(bucket, datetime) else bucket
            series[period_start(day, period)][row["channel"]] += row["n"]
    return {key: dict(series[key]) for key in sorted(series)}


@dataclass(frozen=True)
class Avoidable:
    total: int
    chasing: int
    avoidable: int
    tracked: int = 0  # cases residents found on /track/ instead of asking
    me_too: int = 0  # residents who joined an open report instead of making one


def avoidable_contact(*, organisation: Organisation, dates: DateRange) -> Avoidable:
    """How many contacts chased progress, how many staff marked avoidable, and
    the demand avoided: cases found on /track/, reports joined ("me too")."""
    rolled, live = _split(organisation, dates)
    total = chasing = avoidable = me_too = 0
    if rolled:
        sums = _rolled_contacts(organisation, rolled).aggregate(
            total=Sum("count"),
            chasing=Sum("count", filter=Q(reason=Contact.Reason.PROGRESS_CHASING)),
            avoidable=Sum("count", filter=Q(avoidable=True)),
            me_too=Sum("count", filter=Q(reason=Contact.Reason.ME_TOO)),
        )
        total, chasing, avoidable, me_too = (
            sums[k] or 0 for k in ("total", "chasing", "avoidable", "me_too")
        )
    if live:
        counts = _contacts(organisation, live).aggregate(
            total=Count("id"),
            chasing=Count("id", filter=Q(reason=Contact.Reason.PROGRESS_CHASING)),
            avoidable=Count("id", filter=Q(avoidable=True)),
            me_too=Count("id", filter=Q(reason=Contact.Reason.ME_TOO)),
        )
        total += counts["total"]
        chasing += counts["chasing"]
        avoidable += counts["avoidable"]
        me_too += counts["me_too"]
    tracked = TrackingDay.objects.filter(
        organisation=organisation, day__gte=dates.start, day__lte=dates.end
    ).aggregate(n=Sum("lookups"))["n"]
    return Avoidable(total, chasing, avoidable, tracked or 0, me_too)


@dataclass
class Performance:
    """Cases of a service (or ward) in a period: opened in it, closed in it
    (how many by their due time, and the total time they took), reopened in
    it, and open past their due time now."""

    key: int | str | None
    opened: int = 0
    closed: int = 0
    sla_met: int = 0
    close_seconds: float = 0
    open_overdue: int = 0
    responded: int = 0
    response_seconds: float = 0
    reopened: int = 0

    @property
    def average_to_close(self) -> timedelta | None:
        return timedelta(seconds=self.close_seconds / self.closed) if self.closed else None

    @property
    def average_to_first_response(self) -> timedelta | None:
        if not self.responded:
            return None
        return timedelta(seconds=self.response_seconds / self.responded)


@dataclass(frozen=True)
class CasePerformance:
    by_service: list[Performance]
    by_ward: list[Performance]  # key: the ward's code ("": unknown)


def case_performance(*, organisation: Organisation, dates: DateRange) -> CasePerformance:
    """Cases opened and closed in `dates`, closed on time, first responses and
    reopenings, by service and by ward, and by service the cases open past
    their due time now: one sum of the roll-up and one count of the days not
    rolled up yet serve both."""
    services: dict[int | str | None, Performance] = {}
    wards: dict[int | str | None, Performance] = {}

    def add(service_id: int | None, ward: str, counts: Mapping[str, Any]) -> None:
        for rows, key in ((services, service_id), (wards, ward)):
            target = rows.setdefault(key, Performance(key))
            target.opened += counts["opened"]
            target.closed += counts["closed"]
            target.sla_met += counts["closed_on_time"]
            target.close_seconds += counts["close_seconds"]
            target.responded += counts["responded"]
            target.response_seconds += counts["response_seconds"]
            target.reopened += counts["reopened"]

    rolled, live = _split(organisation, dates)
    if rolled:
        for item in (
            CaseDay.objects.filter(
                organisation=organisation, day__gte=rolled.start, day__lte=rolled.end
            )
            .order_by()
            .values("service_id", "ward")
            .annotate(
                opened=Sum("opened"),
                closed=Sum("closed"),
                closed_on_time=Sum("closed_on_time"),
                close_seconds=Sum("close_seconds"),
                responded=Sum("responded"),
                response_seconds=Sum("response_seconds"),
                reopened=Sum("reopened"),
            )
        ):
            add(item["service_id"], item["ward"], item)
    if live:
        for day in live_case_days(organisation=organisation, dates=live):
            add(
                day.service_id,
                day.ward,
                {
                    "opened": day.opened,
                    "closed": day.closed,
                    "closed_on_time": day.closed_on_time,
                    "close_seconds": day.close_seconds,
                    "responded": day.responded,
                    "response_seconds": day.response_seconds,
                    "reopened": day.reopened,
                },
            )
    overdue = (
        Case.objects.filter(organisation=organisation, is_open=True, due_at__lt=timezone.now())
        .order_by()
        .values("service_id")
        # COUNT(*), not of the id: the index `case_open_due_service` answers it alone.
        .annotate(n=Count("*"))
    )
    for late in overdue:
        services.setdefault(
            late["service_id"], Performance(late["service_id"])
        ).open_overdue = late["n"]
    return CasePerformance(list(services.values()), list(wards.values()))


def service_performance(*, organisation: Organisation, dates: DateRange) -> list[Performance]:
    """By service: cases opened and closed in `dates`, closed on time, the
    average time to close, and cases open past their due time now."""
    return case_performance(organisation=organisation, dates=dates).by_service


def ward_performance(*, organisation: Organisation, dates: DateRange) -> list[Performance]:
    """As `service_performance`, by the ward the cases are in ("": unknown)."""
    return case_performance(organisation=organisation, dates=dates).by_ward


def _version_costs(
    keys: list[tuple[int, datetime]],
) -> dict[tuple[int, datetime], Mapping[str, float]]:
    """Each published version's `cost_per_transaction`, from the catalogue's
    per-process cache of parsed definitions: a version's row is read only the
    first time this process needs it."""
    language = settings.LANGUAGE_CODE
    known = {key: definition_known(key, language) for key in keys}
    missing = [pk for (pk, _created), found in known.items() if found is None]
    if missing:
        for pk, created, definition in ServiceVersion.objects.filter(pk__in=missing).values_list(
            "pk", "created_at", "definition"
        ):
            known[pk, created] = definition_for_version(
                (pk, created), definition, frozen=True, language=language
            )
    return {key: found.cost_per_transaction if found else {} for key, found in known.items()}


def council_rates(*, organisation: Organisation) -> RateTable:
    """The rates insight uses for `organisation`: its services' overrides,
    its own rates, and the published defaults."""
    own = dict(
        CouncilRate.objects.filter(organisation=organisation).values_list("channel", "pence")
    )
    published = {
        (version_id, created): service_id
        for service_id, version_id, created in Service.objects.filter(
            organisation=organisation, published_version__isnull=False
        )
        .order_by()
        .values_list("pk", "published_version_id", "published_version__created_at")
    }
    overrides = [
        (published[key], costs) for key, costs in _version_costs(list(published)).items() if costs
    ]
    return rate_table(council_rates=own, service_overrides=overrides)


def ward_names() -> dict[str, str]:
    return dict(Area.objects.filter(type=AreaType.WARD).values_list("code", "name"))


def service_names(*, organisation: Organisation) -> dict[int | None, str]:
    return dict(Service.objects.filter(organisation=organisation).values_list("pk", "name"))


@dataclass(frozen=True)
class Benchmark:
    organisation_id: int
    name: str | None  # None: anonymous
    contacts: int
    digital_share: float | None


def benchmarks(*, dates: DateRange, viewer: Organisation) -> list[Benchmark]:
    """Every council's contacts and digital take-up in `dates`: the viewer's
    own and those that agreed to be named by name, the rest anonymously.
    Days every council has rolled up come from the roll-up table, the rest
    are counted live: two queries, however many councils."""
    states = dict(RollupState.objects.values_list("organisation_id", "complete_until"))
    organisations = dict(Organisation.objects.values_list("pk", "name"))
    cutoff = min(states.values()) if states and set(states) >= set(organisations) else None
    live_from = dates.start if cutoff is None else max(dates.start, cutoff)
    volumes: dict[int, list[Volume]] = defaultdict(list)
    if cutoff is not None and dates.start < cutoff:
        for row in (
            ContactDay.objects.filter(day__gte=dates.start, day__lt=cutoff, day__lte=dates.end)
            .order_by()
            .values("organisation_id", "channel")
            .annotate(n=Sum("count"))
        ):
            volumes[row["organisation_id"]].append(Volume(None, row["channel"], row["n"]))
    if live_from <= dates.end:
        live = DateRange(live_from, dates.end)
        # By council (a list, however many): each is a range of its own
        # (organisation, created_at) index, not a scan of every contact.
        for row in (
            Contact.objects.filter(
                organisation__in=list(organisations),
                created_at__gte=live.since,
                created_at__lt=live.before,
            )
            .order_by()
            .values("organisation_id", "channel")
            .annotate(n=Count("id"))
        ):
            volumes[row["organisation_id"]].append(Volume(None, row["channel"], row["n"]))
    named = set(
        InsightSharing.objects.filter(named=True).values_list("organisation_id", flat=True)
    ) | {viewer.pk}
    result = [
        Benchmark(
            organisation_id=pk,
            name=organisations.get(pk) if pk in named else None,
            contacts=int(sum(v.count for v in rows)),
            digital_share=digital_share(rows),
        )
        for pk, rows in volumes.items()
    ]
    return sorted(result, key=lambda b: (-(b.digital_share or 0), b.organisation_id))
