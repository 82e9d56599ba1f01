"""Where a case was sent (its outbox rows written by the connectors), and the
upstream Open311 systems polled for updates."""

from __future__ import annotations

from django.db.models import QuerySet

from townhall.cases.models import Case
from townhall.connectors.models import Open311Poll
from townhall.connectors.subscriber import SUBSCRIBER
from townhall.notifications.models import Delivery
from townhall.tenancy.models import Organisation


def case_destinations(case: Case) -> QuerySet[Delivery]:
    """The messages that sent `case` to back-office systems, oldest first."""
    return case.deliveries.filter(subscriber=SUBSCRIBER).order_by("created_at", "pk")


def organisation_polls(*, organisation: Organisation) -> QuerySet[Open311Poll]:
    """The upstream Open311 systems polled for the council's updates."""
    return Open311Poll.objects.filter(organisation=organisation).order_by("endpoint", "pk")
