from __future__ import annotations

from django_tasks import task

from townhall.core.tasks import retrying_task
from townhall.notifications import batch, services


@retrying_task(max_attempts=services.MAX_ATTEMPTS)
def deliver(delivery_id: int) -> None:
    services.delivery_send(delivery_id=delivery_id)


@task()
def deliver_due() -> None:
    """Send the outbox's due rows in batches (woken by `batch.deliveries_wake`)."""
    batch.deliveries_drain()
