from __future__ import annotations

from townhall.core.tasks import retrying_task
from townhall.notifications import services


@retrying_task(max_attempts=services.MAX_ATTEMPTS)
def deliver(delivery_id: int) -> None:
    services.delivery_send(delivery_id=delivery_id)
