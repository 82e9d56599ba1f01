"""What one transaction costs the council, by channel: the defaults, where
each came from, and a council's own rates and its services' overrides.

Amounts are whole pence. Every figure shown says which rate it used and
where that rate came from (`Rate.source`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from townhall.cases.models import Channel

# Published averages for UK councils. Email, letter, social media and API
# have no widely used figure: each council sets its own.
KABLE = _("Kable's 2015 analysis of council audits")
SOCITM = _("Socitm's channel benchmarking of council contact costs")
DEFAULT_RATES: dict[str, tuple[int, Promise]] = {
    Channel.FACE_TO_FACE: (1016, KABLE),
    Channel.WEB: (20, KABLE),
    Channel.PHONE: (283, SOCITM),
}
# Channels a resident used online: what digital take-up counts.
DIGITAL_CHANNELS = frozenset({Channel.WEB, Channel.API})


@dataclass(frozen=True)
class Rate:
    pence: int
    source: str


@dataclass(frozen=True)
class RateTable:
    """The rate for each (service, channel): the service's own, else the
    council's, else the published default, else none (not counted in costs,
    and said so)."""

    council: Mapping[str, Rate]
    services: Mapping[tuple[int, str], Rate]

    def rate(self, service_id: int | None, channel: str) -> Rate | None:
        if service_id is not None and (service_id, channel) in self.services:
            return self.services[(service_id, channel)]
        return self.council.get(channel)

    def sources(self) -> list[tuple[str, Rate]]:
        """The council-wide rates with their sources, channel by channel."""
        return [(channel, rate) for channel, rate in self.council.items()]


def pounds_to_pence(amount: float | int | str) -> int:
    """£1.005 is 101p: round half up, as money is rounded on paper."""
    return int((Decimal(str(amount)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def rate_table(
    *,
    council_rates: Mapping[str, int],
    service_overrides: Iterable[tuple[int, Mapping[str, float]]] = (),
) -> RateTable:
    """Build the table from the council's own rates (channel → pence) and each
    service's `cost_per_transaction` (service id → channel → pounds)."""
    council: dict[str, Rate] = {}
    for channel in Channel.values:
        if channel in council_rates:
            council[channel] = Rate(council_rates[channel], str(_("set by the council")))
        elif channel in DEFAULT_RATES:
            pence, source = DEFAULT_RATES[channel]
            council[channel] = Rate(pence, str(source))
    services: dict[tuple[int, str], Rate] = {}
    for service_id, overrides in service_overrides:
        for channel, pounds in overrides.items():
            services[(service_id, channel)] = Rate(
                pounds_to_pence(pounds), str(_("set in the service's definition"))
            )
    return RateTable(council=council, services=services)
