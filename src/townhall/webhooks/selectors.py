"""Reads for the back office: a council's endpoints and its dead letters."""

from __future__ import annotations

from django.db.models import QuerySet

from townhall.notifications.models import Delivery
from townhall.tenancy.models import Organisation
from townhall.webhooks.models import Endpoint


def organisation_endpoints(*, organisation: Organisation) -> QuerySet[Endpoint]:
    return Endpoint.objects.for_organisation(organisation).order_by("created_at", "pk")


def organisation_endpoint(*, organisation: Organisation, pk: int) -> Endpoint | None:
    return Endpoint.objects.for_organisation(organisation).filter(pk=pk).first()


def dead_letters(*, organisation: Organisation, limit: int = 200) -> list[Delivery]:
    """The council's webhook messages given up on, oldest first, with their case."""
    return list(
        Delivery.objects.filter(
            organisation=organisation,
            channel=Delivery.Channel.WEBHOOK,
            provider="webhook",
            status=Delivery.Status.FAILED,
        )
        .select_related("case")
        .defer("body")
        .order_by("pk")[:limit]
    )


def dead_letters_by_id(*, organisation: Organisation, ids: list[int]) -> list[Delivery]:
    return list(
        Delivery.objects.filter(
            organisation=organisation,
            channel=Delivery.Channel.WEBHOOK,
            provider="webhook",
            status=Delivery.Status.FAILED,
            pk__in=ids,
        ).order_by("pk")
    )
