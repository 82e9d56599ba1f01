from __future__ import annotations

from townhall.cases import events
from townhall.core.tasks import retrying_task


@retrying_task(max_attempts=events.MAX_ATTEMPTS)
def dispatch_event(event_id: int) -> None:
    events.event_dispatch(event_id=event_id)
