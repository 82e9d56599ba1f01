"""Channel-shift arithmetic on counts already aggregated by the database:
cost to serve, digital take-up, savings against a baseline, and which
service's remaining offline transactions would save most by moving online.

Plain functions of plain values, so each can be checked by hand."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from townhall.cases.models import Channel
from townhall.insight.rates import DIGITAL_CHANNELS, RateTable


@dataclass(frozen=True)
class Volume:
    """`count` contacts about `service_id` (None: no service) by `channel`."""

    service_id: int | None
    channel: str
    count: float  # a whole number from the database; a share of one in a baseline


@dataclass
class Cost:
    pence: float = 0
    # Transactions left out because their channel has no rate: shown, not hidden.
    uncosted: float = 0
    uncosted_channels: set[str] = field(default_factory=set)


def cost_to_serve(volumes: Iterable[Volume], rates: RateTable) -> Cost:
    """What the transactions cost at the table's rates."""
    cost = Cost()
    for volume in volumes:
        rate = rates.rate(volume.service_id, volume.channel)
        if rate is None:
            cost.uncosted += volume.count
            cost.uncosted_channels.add(volume.channel)
        else:
            cost.pence += volume.count * rate.pence
    return cost


def digital_share(volumes: Iterable[Volume]) -> float | None:
    """The share of transactions made online (web or API); None for none."""
    total = digital = 0.0
    for volume in volumes:
        total += volume.count
        if volume.channel in DIGITAL_CHANNELS:
            digital += volume.count
    return digital / total if total else None


def by_service(volumes: Iterable[Volume]) -> dict[int | None, list[Volume]]:
    grouped: dict[int | None, list[Volume]] = defaultdict(list)
    for volume in volumes:
        grouped[volume.service_id].append(volume)
    return dict(grouped)


def all_by_phone(volumes: Iterable[Volume]) -> list[Volume]:
    """The same transactions, as if every one had been a phone call."""
    totals: dict[int | None, float] = defaultdict(float)
    for volume in volumes:
        totals[volume.service_id] += volume.count
    return [Volume(service_id, Channel.PHONE, count) for service_id, count in totals.items()]


def with_earlier_mix(volumes: Iterable[Volume], earlier: Iterable[Volume]) -> list[Volume]:
    """This period's transactions per service, split across channels as the
    earlier period's were (a service new since then keeps its own mix).
    Fractions are kept as they are: costs are rounded once, at the end."""
    now = by_service(volumes)
    before = by_service(earlier)
    mixed: list[Volume] = []
    for service_id, rows in now.items():
        total = sum(row.count for row in rows)
        earlier_rows = before.get(service_id)
        earlier_total = sum(row.count for row in earlier_rows) if earlier_rows else 0
        if not earlier_total:
            mixed.extend(rows)
            continue
        for row in earlier_rows or []:
            mixed.append(Volume(service_id, row.channel, total * row.count / earlier_total))
    return mixed


@dataclass(frozen=True)
class Saving:
    baseline_pence: int
    actual_pence: int

    @property
    def pence(self) -> int:
        return self.baseline_pence - self.actual_pence


def saving(volumes: list[Volume], baseline: list[Volume], rates: RateTable) -> Saving:
    """What the actual mix cost against `baseline` (`all_by_phone` or
    `with_earlier_mix`), at the same rates; positive is money saved."""
    return Saving(
        baseline_pence=round(cost_to_serve(baseline, rates).pence),
        actual_pence=round(cost_to_serve(volumes, rates).pence),
    )


@dataclass(frozen=True)
class Opportunity:
    """A service's offline transactions and what moving them online would save."""

    service_id: int | None
    offline: float
    pence: float


def opportunities(volumes: Iterable[Volume], rates: RateTable) -> list[Opportunity]:
    """Services ranked by what moving their remaining offline transactions
    online would save: each offline transaction saves its channel's rate
    less the service's online rate. Channels without a rate are left out."""
    ranked: list[Opportunity] = []
    for service_id, rows in by_service(volumes).items():
        online = rates.rate(service_id, Channel.WEB)
        if online is None:
            continue
        offline = pence = 0.0
        for row in rows:
            if row.channel in DIGITAL_CHANNELS:
                continue
            rate = rates.rate(service_id, row.channel)
            offline += row.count
            if rate is not None:
                pence += row.count * max(rate.pence - online.pence, 0)
        if offline:
            ranked.append(Opportunity(service_id, offline, pence))
    return sorted(ranked, key=lambda o: (-o.pence, -o.offline, o.service_id or 0))


def share(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def counts_by_channel(volumes: Iterable[Volume]) -> Mapping[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for volume in volumes:
        totals[volume.channel] += volume.count
    return dict(totals)
