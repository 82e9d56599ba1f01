"""The case-event subscriber that sends each submitted case to the
destinations its service's definition names (`send_to`), one outbox row
each: written once, with the event, so a system that is down delays the case
but never loses it, and a retry never makes a second row."""

from __future__ import annotations

from townhall.cases.events import subscriber_register
from townhall.cases.models import Case, CaseEvent
from townhall.connectors import connector_get
from townhall.notifications.services import Outgoing

SUBSCRIBER = "connectors.send_to"


def case_send(event: CaseEvent) -> list[Outgoing]:
    """One message per destination of the service the case was made with."""
    definition = event.case.service_version.parsed
    return [
        connector_get(destination["connector"]).outgoing(
            event=event, definition=definition, destination=destination
        )
        for destination in definition.send_to
    ]


def service_sends_cases(case: Case) -> bool:
    return bool(case.service_version.parsed.send_to)


subscriber_register(
    name=SUBSCRIBER,
    kinds=[CaseEvent.Kind.SUBMITTED],
    func=case_send,
    applies=service_sends_cases,
)
