"""Where a case was sent: its outbox rows written by the connectors."""

from __future__ import annotations

from django.db.models import QuerySet

from townhall.cases.models import Case
from townhall.connectors.subscriber import SUBSCRIBER
from townhall.notifications.models import Delivery


def case_destinations(case: Case) -> QuerySet[Delivery]:
    """The messages that sent `case` to back-office systems, oldest first."""
    return case.deliveries.filter(subscriber=SUBSCRIBER).order_by("created_at", "pk")
