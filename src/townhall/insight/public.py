"""The public performance page's figures: for each service of a council,
volumes, digital take-up, time to resolve, cases closed on time and cost
per transaction, with small numbers suppressed so no one can be picked out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings

from townhall.insight import figures, selectors
from townhall.insight.rates import DIGITAL_CHANNELS
from townhall.tenancy.models import Organisation


@dataclass(frozen=True)
class ServiceFigures:
    name: str
    # None where the count is under the threshold (suppressed).
    transactions: int | None
    digital_share: float | None
    average_days_to_resolve: float | None
    closed_on_time: float | None
    cost_per_transaction_pence: float | None
    suppressed: bool


def last_twelve_months(today: date) -> selectors.DateRange:
    return selectors.DateRange(today - timedelta(days=364), today)


def _shown(count: int) -> bool:
    return count >= settings.PERFORMANCE_SMALL_NUMBER


def public_performance(
    *, organisation: Organisation, dates: selectors.DateRange
) -> list[ServiceFigures]:
    """Every service with contacts or cases in `dates`, by name."""
    names = selectors.service_names(organisation=organisation)
    rates = selectors.council_rates(organisation=organisation)
    grouped = figures.by_service(selectors.contact_volumes(organisation=organisation, dates=dates))
    performance: dict[int | None, selectors.Performance] = {
        row.key: row  # type: ignore[misc]
        for row in selectors.service_performance(organisation=organisation, dates=dates)
    }
    result = []
    for service_id in sorted(
        (set(grouped) | set(performance)) - {None}, key=lambda pk: names.get(pk, "").lower()
    ):
        volumes = grouped.get(service_id, [])
        total = int(sum(v.count for v in volumes))
        online = sum(v.count for v in volumes if v.channel in DIGITAL_CHANNELS)
        row = performance.get(service_id)
        closed = row.closed if row else 0
        if not _shown(total):
            result.append(
                ServiceFigures(names.get(service_id, ""), None, None, None, None, None, True)
            )
            continue
        cost = figures.cost_to_serve(volumes, rates)
        costed = total - cost.uncosted
        result.append(
            ServiceFigures(
                name=names.get(service_id, ""),
                transactions=total,
                digital_share=figures.share(online, total),
                average_days_to_resolve=(
                    round(row.average_to_close.total_seconds() / 86400, 1)
                    if row and row.average_to_close is not None and _shown(closed)
                    else None
                ),
                closed_on_time=figures.share(row.sla_met, closed)
                if row and _shown(closed)
                else None,
                cost_per_transaction_pence=cost.pence / costed if costed else None,
                suppressed=False,
            )
        )
    return result
