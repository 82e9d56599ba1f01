"""The figures insight shows, each one aggregate query: counts grouped by
the database, never cases or contacts loaded into Python."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import timezone

from townhall.cases.models import Case, Contact
from townhall.catalogue.models import Service
from townhall.insight.figures import Volume, digital_share
from townhall.insight.models import CouncilRate, InsightSharing
from townhall.insight.periods import Period, period_start
from townhall.insight.rates import RateTable, rate_table
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


def contact_volumes(*, organisation: Organisation, dates: DateRange) -> list[Volume]:
    """Contacts in `dates` by service and channel."""
    rows = (
        _contacts(organisation, dates)
        .order_by()
        .values("service_id", "channel")
        .annotate(n=Count("id"))
    )
    return [Volume(row["service_id"], row["channel"], row["n"]) for row in rows]


TRUNCATE = {Period.DAY: TruncDay, Period.WEEK: TruncWeek, Period.MONTH: TruncMonth}


def contact_series(
    *, organisation: Organisation, dates: DateRange, period: Period
) -> dict[date, dict[str, int]]:
    """Contacts in `dates` by period and channel, oldest period first. A
    financial year is counted by month and the months added up."""
    truncate = TRUNCATE.get(period, TruncMonth)
    rows = (
        _contacts(organisation, dates)
        .order_by()
        .annotate(bucket=truncate("created_at"))
        .values("bucket", "channel")
        .annotate(n=Count("id"))
    )
    series: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        bucket = row["bucket"]
        day = timezone.localtime(bucket).date() if isinstance(bucket, datetime) else bucket
        series[period_start(day, period)][row["channel"]] += row["n"]
    return {key: dict(series[key]) for key in sorted(series)}


@dataclass(frozen=True)
class Avoidable:
    total: int
    chasing: int
    avoidable: int


def avoidable_contact(*, organisation: Organisation, dates: DateRange) -> Avoidable:
    """How many contacts chased progress, and how many staff marked avoidable."""
    counts = _contacts(organisation, dates).aggregate(
        total=Count("id"),
        chasing=Count("id", filter=Q(reason=Contact.Reason.PROGRESS_CHASING)),
        avoidable=Count("id", filter=Q(avoidable=True)),
    )
    return Avoidable(**counts)


@dataclass(frozen=True)
class Performance:
    service_id: int
    opened: int
    closed: int
    sla_met: int
    open_overdue: int
    average_to_close: timedelta | None


def service_performance(*, organisation: Organisation, dates: DateRange) -> list[Performance]:
    """For cases opened in `dates`, by service: how many, how many closed,
    how many closed by their due time, how many open past it, and the
    average time from opening to closing."""
    now = timezone.now()
    to_close = ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())
    rows = (
        Case.objects.filter(
            organisation=organisation, created_at__gte=dates.since, created_at__lt=dates.before
        )
        .order_by()
        .values("service_id")
        .annotate(
            opened=Count("id"),
            closed=Count("id", filter=Q(closed_at__isnull=False)),
            sla_met=Count("id", filter=Q(closed_at__isnull=False, closed_at__lte=F("due_at"))),
            open_overdue=Count("id", filter=Q(is_open=True, due_at__lt=now)),
            average_to_close=Avg(to_close, filter=Q(closed_at__isnull=False)),
        )
    )
    return [Performance(**row) for row in rows]


def council_rates(*, organisation: Organisation) -> RateTable:
    """The rates insight uses for `organisation`: its services' overrides,
    its own rates, and the published defaults."""
    own = dict(
        CouncilRate.objects.filter(organisation=organisation).values_list("channel", "pence")
    )
    overrides = [
        (service.pk, service.published_version.parsed.cost_per_transaction)
        for service in Service.objects.filter(
            organisation=organisation, published_version__isnull=False
        ).select_related("published_version")
        if service.published_version is not None
        and service.published_version.parsed.cost_per_transaction
    ]
    return rate_table(council_rates=own, service_overrides=overrides)


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
    own and those that agreed to be named by name, the rest anonymously."""
    rows = (
        Contact.objects.filter(created_at__gte=dates.since, created_at__lt=dates.before)
        .order_by()
        .values("organisation_id", "channel")
        .annotate(n=Count("id"))
    )
    volumes: dict[int, list[Volume]] = defaultdict(list)
    for row in rows:
        volumes[row["organisation_id"]].append(Volume(None, row["channel"], row["n"]))
    named = set(
        InsightSharing.objects.filter(named=True).values_list("organisation_id", flat=True)
    ) | {viewer.pk}
    names = dict(Organisation.objects.filter(pk__in=named & set(volumes)).values_list("pk", "name"))
    result = [
        Benchmark(
            organisation_id=pk,
            name=names.get(pk),
            contacts=int(sum(v.count for v in rows_)),
            digital_share=digital_share(rows_),
        )
        for pk, rows_ in volumes.items()
    ]
    return sorted(result, key=lambda b: (-(b.digital_share or 0), b.organisation_id))
