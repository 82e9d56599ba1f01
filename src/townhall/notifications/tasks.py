from __future__ import annotations

from townhall.core.tasks import retrying_task
from townhall.notifications import services


@retrying_task(max_attempts=services.MAX_ATTEMPTS)
def deliver_email(email_id: int) -> None:
    services.email_deliver(email_id=email_id)
