"""The case-event subscriber that writes a webhook message for every active
endpoint of the case's council that asked for the event's type.

Messages about one case to one endpoint share an order key, so the outbox
delivers them in the order they happened: a later one waits while an earlier
one is unsent.
"""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder

from townhall.cases.events import subscriber_register
from townhall.cases.models import Case, CaseEvent
from townhall.notifications.models import Delivery
from townhall.notifications.services import Outgoing
from townhall.webhooks.models import Endpoint
from townhall.webhooks.payloads import TYPES_FOR_KIND, case_body, event_body

PROVIDER = "webhook"


def order_key(*, endpoint_id: int, case_id: int) -> str:
    return f"webhook:{endpoint_id}:case:{case_id}"


def webhook_messages(event: CaseEvent) -> list[Outgoing]:
    """One message per active endpoint and webhook type the event is sent as."""
    types = TYPES_FOR_KIND.get(event.kind, [])
    endpoints = list(
        Endpoint.objects.for_organisation(event.case.organisation)
        .active()
        .only("pk", "url", "events")
    )
    wanted = [
        (endpoint, kind) for endpoint in endpoints for kind in types if kind in endpoint.events
    ]
    if not wanted:
        return []
    case = case_body(event.case)
    messages = []
    for endpoint, event_type in wanted:
        body = event_body(event=event, event_type=event_type, case=case)
        messages.append(
            Outgoing(
                channel=Delivery.Channel.WEBHOOK,
                provider=PROVIDER,
                recipient=endpoint.url,
                subject=event_type,
                # The exact bytes sent and signed, the same on every attempt.
                body=json.dumps(body, cls=DjangoJSONEncoder, separators=(",", ":")),
                payload={"endpoint_id": endpoint.pk, "event_id": body["id"], "type": event_type},
                order_key=order_key(endpoint_id=endpoint.pk, case_id=event.case_id),
            )
        )
    return messages


def council_has_endpoints(case: Case) -> bool:
    return Endpoint.objects.filter(organisation_id=case.organisation_id, is_active=True).exists()


subscriber_register(
    name="webhooks.endpoints",
    kinds=list(TYPES_FOR_KIND),
    func=webhook_messages,
    applies=council_has_endpoints,
)
