"""Immediate alerts: when a case of a public service is submitted, every
confirmed immediate subscription whose ward or circle holds it is sent its
new reports (`alerts.services.alert_send`), after the case commits."""

from __future__ import annotations

from townhall.alerts.models import Frequency, Subscription
from townhall.alerts.services import alert_send, subscriptions_for_case
from townhall.cases.events import subscriber_register
from townhall.cases.models import Case, CaseEvent
from townhall.notifications.services import Outgoing


def new_report(event: CaseEvent) -> list[Outgoing]:
    case = event.case
    if not case.service_version.parsed.public_on_map:
        return []  # a private service's cases are never news to anyone
    # Each alert is written with `delivery_queue` (its own outbox row, about
    # no case: an alert is not a message about the reporter's case).
    for subscription in subscriptions_for_case(case):
        alert_send(subscription=subscription)
    return []


def anyone_subscribed(case: Case) -> bool:
    """Whether any confirmed immediate alert covers the case's council: a
    council nobody subscribes to starts no work."""
    return (
        Subscription.objects.active()
        .filter(frequency=Frequency.IMMEDIATE, site__organisations=case.organisation_id)
        .exists()
    )


subscriber_register(
    name="alerts.new_report",
    kinds=[CaseEvent.Kind.SUBMITTED],
    func=new_report,
    applies=anyone_subscribed,
)
