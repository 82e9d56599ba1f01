"""The webhook connector: the new case POSTed as JSON to the URL the
definition names, in the webhooks' payload shape (type "case.created"),
signed when the definition names a secret in `CONNECTOR_SECRETS`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from townhall.cases.models import CaseEvent
from townhall.catalogue.engine.definition import ServiceDefinition
from townhall.connectors import Connector, connector_register
from townhall.connectors.secrets import connector_secret
from townhall.notifications.models import Delivery
from townhall.notifications.providers import Provider, provider_register
from townhall.notifications.services import Outgoing
from townhall.webhooks.payloads import CASE_CREATED, case_body, event_body
from townhall.webhooks.provider import post_json

PROVIDER = "connector_webhook"


class SystemRejected(Exception):
    """The system answered with something other than 2xx."""


class WebhookConnector(Connector):
    name = "webhook"

    def outgoing(
        self, *, event: CaseEvent, definition: ServiceDefinition, destination: Mapping[str, Any]
    ) -> Outgoing:
        body = event_body(event=event, event_type=CASE_CREATED, case=case_body(event.case))
        return Outgoing(
            channel=Delivery.Channel.WEBHOOK,
            provider=PROVIDER,
            recipient=destination["url"],
            subject=CASE_CREATED,
            body=json.dumps(body, cls=DjangoJSONEncoder, separators=(",", ":")),
            payload={
                "event_id": body["id"],
                "type": CASE_CREATED,
                "secret": destination.get("secret", ""),
            },
        )


class ConnectorWebhookProvider(Provider):
    name = PROVIDER
    channel = "webhook"
    idempotent_retry = False

    def send(self, delivery: Delivery) -> str:
        status = post_json(
            url=delivery.recipient,
            body=delivery.body.encode("utf-8"),
            secret=connector_secret(
                delivery.payload.get("secret", ""), council=delivery.organisation.slug
            ),
            event_id=str(delivery.payload.get("event_id", delivery.reference)),
            event_type=str(delivery.payload.get("type", "")),
        )
        if not 200 <= status < 300:
            raise SystemRejected(f"HTTP {status}")
        return ""


connector_register(WebhookConnector())
provider_register(ConnectorWebhookProvider())
