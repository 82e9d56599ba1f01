"""Sending a case again, when staff ask."""

from __future__ import annotations

from django.db import transaction

from townhall.cases.models import Case
from townhall.connectors.selectors import case_destinations
from townhall.notifications.models import Delivery
from townhall.notifications.services import delivery_retry

# What staff may send again: not what the system took, nor what is on its way.
RESENDABLE = [Delivery.Status.FAILED, Delivery.Status.RETRYING, Delivery.Status.PENDING]


def destination_resend(*, case: Case, delivery_id: int) -> bool:
    """Send `case` again to the destination of its row `delivery_id`, now, from
    a fresh count of attempts, unless the system has it already or it is being
    sent. Returns False if there is no such row to send again."""
    with transaction.atomic():
        delivery = (
            case_destinations(case)
            .select_for_update()
            .filter(pk=delivery_id, status__in=RESENDABLE)
            .first()
        )
        if delivery is None:
            return False
        delivery_retry(delivery=delivery)
    return True
