"""Insight's figures as tables: one definition of each table, which the page
shows (beside a chart), and the CSV and XLSX downloads write unchanged."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

from django.utils.translation import gettext as _

from townhall.cases.models import Channel
from townhall.insight import figures, selectors
from townhall.insight.figures import Volume
from townhall.insight.periods import Period, period_label, year_before
from townhall.insight.rates import DIGITAL_CHANNELS, RateTable
from townhall.tenancy.models import Organisation


class Kind(enum.StrEnum):
    TEXT = "text"
    COUNT = "count"
    PENCE = "pence"  # shown in pounds
    SHARE = "share"  # 0..1, shown as a percentage
    DAYS = "days"


@dataclass(frozen=True)
class Column:
    title: str
    kind: Kind = Kind.TEXT


Value = str | int | float | None


@dataclass
class Table:
    slug: str
    caption: str
    columns: list[Column]
    rows: list[list[Value]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Column whose values the page draws as bars (None: no chart).
    chart_column: int | None = None
    chart_label_column: int = 0


@dataclass
class Report:
    organisation: Organisation
    dates: selectors.DateRange
    period: Period
    rates: RateTable
    tables: list[Table]
    ward_cases: dict[str, int] = field(default_factory=dict)  # ward code -> cases opened

    def table(self, slug: str) -> Table | None:
        return next((t for t in self.tables if t.slug == slug), None)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    percent: float  # of the longest bar


def chart_bars(table: Table) -> list[Bar]:
    """The bars of `table`'s chart: its chart column, scaled to the largest."""
    if table.chart_column is None:
        return []
    points = [
        (str(row[table.chart_label_column]), row[table.chart_column])
        for row in table.rows
        if isinstance(row[table.chart_column], int | float)
    ]
    largest = max((float(v) for _l, v in points), default=0.0)  # type: ignore[arg-type]
    return [
        Bar(label, float(value), 100 * float(value) / largest if largest else 0.0)  # type: ignore[arg-type]
        for label, value in points
    ]


def _channel(code: str) -> str:
    return str(Channel(code).label) if code in Channel.values else code


def _service(names: dict[int | None, str], service_id: int | None) -> str:
    return names.get(service_id) or _("No service")


def channels_table(volumes: list[Volume], rates: RateTable) -> Table:
    totals = figures.counts_by_channel(volumes)
    whole = sum(totals.values())
    table = Table(
        "channels",
        _("Contacts by channel, with their cost"),
        [
            Column(_("Channel")),
            Column(_("Contacts"), Kind.COUNT),
            Column(_("Share"), Kind.SHARE),
            Column(_("Cost of one"), Kind.PENCE),
            Column(_("Cost"), Kind.PENCE),
            Column(_("Where the cost of one comes from")),
        ],
        chart_column=1,
    )
    for code in Channel.values:
        count = totals.get(code, 0)
        rate = rates.rate(None, code)
        table.rows.append(
            [
                _channel(code),
                int(count),
                figures.share(count, whole),
                rate.pence if rate else None,
                count * rate.pence if rate else None,
                rate.source if rate else _("no cost set: not counted in costs"),
            ]
        )
    if rates.services:
        table.notes.append(
            _(
                "This table uses the council-wide costs; services with costs of their own "
                "use them in the table by service."
            )
        )
    return table


def services_table(volumes: list[Volume], names: dict[int | None, str], rates: RateTable) -> Table:
    table = Table(
        "services",
        _("Digital take-up and cost by service"),
        [
            Column(_("Service")),
            Column(_("Contacts"), Kind.COUNT),
            Column(_("Online"), Kind.COUNT),
            Column(_("Digital take-up"), Kind.SHARE),
            Column(_("Cost to serve"), Kind.PENCE),
        ],
        chart_column=3,
    )
    grouped = figures.by_service(volumes)
    for service_id, rows in sorted(
        grouped.items(), key=lambda item: _service(names, item[0]).lower()
    ):
        total = sum(row.count for row in rows)
        online = sum(row.count for row in rows if row.channel in DIGITAL_CHANNELS)
        table.rows.append(
            [
                _service(names, service_id),
                int(total),
                int(online),
                figures.share(online, total),
                round(figures.cost_to_serve(rows, rates).pence),
            ]
        )
    return table


def trend_table(series: dict[date, dict[str, int]], period: Period) -> Table:
    table = Table(
        "trend",
        _("Contacts and digital take-up over time"),
        [Column(_("Period"))]
        + [Column(_channel(code), Kind.COUNT) for code in Channel.values]
        + [Column(_("Digital take-up"), Kind.SHARE)],
        chart_column=len(Channel.values) + 1,
    )
    for start, counts in series.items():
        whole = sum(counts.values())
        online = sum(n for code, n in counts.items() if code in DIGITAL_CHANNELS)
        table.rows.append(
            [period_label(start, period)]
            + [counts.get(code, 0) for code in Channel.values]
            + [figures.share(online, whole)]
        )
    return table


def savings_table(volumes: list[Volume], earlier: list[Volume], rates: RateTable) -> Table:
    table = Table(
        "savings",
        _("Savings from the channels residents used"),
        [
            Column(_("Compared with")),
            Column(_("That would have cost"), Kind.PENCE),
            Column(_("What it cost"), Kind.PENCE),
            Column(_("Saved"), Kind.PENCE),
        ],
    )
    by_phone = figures.saving(volumes, figures.all_by_phone(volumes), rates)
    table.rows.append(
        [
            _("Every transaction by phone"),
            by_phone.baseline_pence,
            by_phone.actual_pence,
            by_phone.pence,
        ]
    )
    if earlier:
        mix = figures.saving(volumes, figures.with_earlier_mix(volumes, earlier), rates)
        table.rows.append(
            [_("Last year's mix of channels"), mix.baseline_pence, mix.actual_pence, mix.pence]
        )
    else:
        table.notes.append(_("No contacts a year earlier to compare with last year's mix."))
    return table


def opportunities_table(
    volumes: list[Volume], names: dict[int | None, str], rates: RateTable
) -> Table:
    table = Table(
        "opportunities",
        _("Which services to move online next"),
        [
            Column(_("Service")),
            Column(_("Transactions not online"), Kind.COUNT),
            Column(_("Saving if they moved online"), Kind.PENCE),
        ],
        chart_column=2,
    )
    for item in figures.opportunities(volumes, rates):
        table.rows.append([_service(names, item.service_id), int(item.offline), round(item.pence)])
    table.notes.append(
        _("Each transaction not made online would save its channel's cost less the online cost.")
    )
    return table


def avoidable_table(avoidable: selectors.Avoidable) -> Table:
    table = Table(
        "avoidable",
        _("Avoidable contact"),
        [Column(_("Contacts")), Column(_("Number"), Kind.COUNT), Column(_("Share"), Kind.SHARE)],
    )
    table.rows.append(
        [_("All contacts"), avoidable.total, figures.share(avoidable.total, avoidable.total)]
    )
    table.rows.append(
        [
            _("Chasing progress"),
            avoidable.chasing,
            figures.share(avoidable.chasing, avoidable.total),
        ]
    )
    table.rows.append(
        [
            _("Progress checked online instead (tracking)"),
            avoidable.tracked,
            "",  # not a share of contacts: each is a contact that did not happen
        ]
    )
    table.rows.append(
        [
            _("Reports joined instead of made again (me too)"),
            avoidable.me_too,
            "",  # each is a report, and its handling, that did not happen
        ]
    )
    table.rows.append(
        [
            _("Marked avoidable by staff"),
            avoidable.avoidable,
            figures.share(avoidable.avoidable, avoidable.total),
        ]
    )
    return table


def _days(value: timedelta | None) -> float | None:
    return round(value.total_seconds() / 86400, 1) if value is not None else None


def performance_table(rows: list[selectors.Performance], names: dict[int | None, str]) -> Table:
    table = Table(
        "performance",
        _("Service performance"),
        [
            Column(_("Service")),
            Column(_("Opened"), Kind.COUNT),
            Column(_("Closed"), Kind.COUNT),
            Column(_("Closed on time"), Kind.SHARE),
            Column(_("Reopened"), Kind.COUNT),
            Column(_("Open and overdue now"), Kind.COUNT),
            Column(_("Average days to first response"), Kind.DAYS),
            Column(_("Average days to close"), Kind.DAYS),
        ],
    )
    table.notes.append(
        _(
            "Opened and closed count the cases opened and closed in the period; closed on "
            "time and the average to close are of the cases closed in it; a first response "
            "is the first change of status, counted in the period it happened; reopened "
            "counts the times cases were reopened in the period."
        )
    )
    for row in sorted(rows, key=lambda r: _service(names, r.key).lower()):  # type: ignore[arg-type]
        table.rows.append(
            [
                _service(names, row.key),  # type: ignore[arg-type]
                row.opened,
                row.closed,
                figures.share(row.sla_met, row.closed),
                row.reopened,
                row.open_overdue,
                _days(row.average_to_first_response),
                _days(row.average_to_close),
            ]
        )
    return table


def wards_table(rows: list[selectors.Performance], wards: dict[str, str]) -> Table:
    table = Table(
        "wards",
        _("Cases by ward"),
        [
            Column(_("Ward")),
            Column(_("Opened"), Kind.COUNT),
            Column(_("Closed"), Kind.COUNT),
            Column(_("Closed on time"), Kind.SHARE),
            Column(_("Reopened"), Kind.COUNT),
            Column(_("Average days to close"), Kind.DAYS),
        ],
        chart_column=1,
    )

    def name(code: object) -> str:
        return wards.get(str(code), str(code)) if code else _("Ward not known")

    for row in sorted(rows, key=lambda r: (not r.key, name(r.key).lower())):
        table.rows.append(
            [
                name(row.key),
                row.opened,
                row.closed,
                figures.share(row.sla_met, row.closed),
                row.reopened,
                _days(row.average_to_close),
            ]
        )
    return table


def benchmarks_table(rows: list[selectors.Benchmark], viewer: Organisation) -> Table:
    table = Table(
        "benchmarks",
        _("Councils on this installation"),
        [
            Column(_("Council")),
            Column(_("Contacts"), Kind.COUNT),
            Column(_("Digital take-up"), Kind.SHARE),
        ],
        chart_column=2,
    )
    anonymous = 0
    for row in rows:
        if row.name is None:
            anonymous += 1
            label = _("Council %(letter)s") % {"letter": chr(ord("A") + (anonymous - 1) % 26)}
        else:
            label = row.name
        table.rows.append([label, row.contacts, row.digital_share])
    table.notes.append(
        _("Other councils are shown without their names unless they have agreed to be named.")
    )
    return table


class _Figures:
    """What the tables are made of, each asked of the database the first time
    a table needs it: a page asks for all of them, a download for one table
    only what that table shows."""

    def __init__(
        self, organisation: Organisation, dates: selectors.DateRange, period: Period
    ) -> None:
        self.organisation = organisation
        self.dates = dates
        self.period = period

    @cached_property
    def rates(self) -> RateTable:
        return selectors.council_rates(organisation=self.organisation)

    @cached_property
    def names(self) -> dict[int | None, str]:
        return selectors.service_names(organisation=self.organisation)

    @cached_property
    def volumes(self) -> list[Volume]:
        return selectors.contact_volumes(organisation=self.organisation, dates=self.dates)

    @cached_property
    def earlier(self) -> list[Volume]:
        year = selectors.DateRange(*year_before(self.dates.start, self.dates.end))
        return selectors.contact_volumes(organisation=self.organisation, dates=year)

    @cached_property
    def cases(self) -> selectors.CasePerformance:
        return selectors.case_performance(organisation=self.organisation, dates=self.dates)


TABLES: dict[str, Callable[[_Figures], Table]] = {
    "channels": lambda f: channels_table(f.volumes, f.rates),
    "services": lambda f: services_table(f.volumes, f.names, f.rates),
    "trend": lambda f: trend_table(
        selectors.contact_series(organisation=f.organisation, dates=f.dates, period=f.period),
        f.period,
    ),
    "savings": lambda f: savings_table(f.volumes, f.earlier, f.rates),
    "opportunities": lambda f: opportunities_table(f.volumes, f.names, f.rates),
    "avoidable": lambda f: avoidable_table(
        selectors.avoidable_contact(organisation=f.organisation, dates=f.dates)
    ),
    "performance": lambda f: performance_table(f.cases.by_service, f.names),
    "wards": lambda f: wards_table(f.cases.by_ward, selectors.ward_names()),
    "benchmarks": lambda f: benchmarks_table(
        selectors.benchmarks(dates=f.dates, viewer=f.organisation), f.organisation
    ),
}


def report_build(
    *,
    organisation: Organisation,
    dates: selectors.DateRange,
    period: Period,
    only: str | None = None,
) -> Report:
    """Every table of insight for `organisation` over `dates`, or only the
    table `only` names (none if there is no such table), as a download needs."""
    found = _Figures(organisation, dates, period)
    tables = [build(found) for slug, build in TABLES.items() if only is None or slug == only]
    ward_cases = (
        {str(row.key): row.opened for row in found.cases.by_ward if row.key} if only is None else {}
    )
    return Report(organisation, dates, period, found.rates, tables, ward_cases)
