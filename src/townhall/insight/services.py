"""Writes: a council's own costs per transaction and whether it is named."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction

from townhall.cases.models import Channel
from townhall.insight.models import CouncilRate, InsightSharing
from townhall.insight.rates import DEFAULT_RATES, Rate, pounds_to_pence
from townhall.insight.selectors import council_rates
from townhall.tenancy.models import Organisation


def rate_field(channel: str) -> str:
    return f"rate_{channel}"


def rates_initial(*, organisation: Organisation) -> dict[str, Any]:
    """The form's starting values: the council's own rates in pounds."""
    own = CouncilRate.objects.filter(organisation=organisation).values_list("channel", "pence")
    initial: dict[str, Any] = {rate_field(c): Decimal(p) / 100 for c, p in own}
    sharing = InsightSharing.objects.filter(organisation=organisation).first()
    initial["named"] = bool(sharing and sharing.named)
    return initial


def rates_shown(*, organisation: Organisation) -> list[tuple[str, Rate | None, bool]]:
    """Each channel, the rate insight uses for it, and whether that is a
    published default (rather than the council's own)."""
    table = council_rates(organisation=organisation)
    own = set(
        CouncilRate.objects.filter(organisation=organisation).values_list("channel", flat=True)
    )
    return [
        (str(label), table.council.get(code), code in DEFAULT_RATES and code not in own)
        for code, label in Channel.choices
    ]


def rates_save(*, organisation: Organisation, data: Mapping[str, Any]) -> None:
    """Set the council's cost per transaction for each channel given in
    pounds; a blank one goes back to the published default (or none)."""
    with transaction.atomic():
        for channel in Channel.values:
            pounds = data.get(rate_field(channel))
            if pounds is None:
                CouncilRate.objects.filter(organisation=organisation, channel=channel).delete()
            else:
                CouncilRate.objects.update_or_create(
                    organisation=organisation,
                    channel=channel,
                    defaults={"pence": pounds_to_pence(pounds)},
                )
        InsightSharing.objects.update_or_create(
            organisation=organisation, defaults={"named": bool(data.get("named"))}
        )
