"""The upstream Open311 connector: Townhall as a GeoReport v2 client, as
FixMyStreet sends reports to councils' highways and waste systems.

The case is POSTed, form-encoded, to `<endpoint>/requests.json` with the
service code, the attributes mapped from the answers (`attributes`: code to
question id), a description, the location (lat, long, address_string) and
the resident's email; the `service_request_id` the system returns is kept as
the delivery's provider reference and shown on the case. A 4xx answer
(other than 408 and 429) is a refusal no retry can change: the row is given
up at once, for staff to see and send again once the mapping is fixed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings

from townhall.cases.models import Case, CaseEvent
from townhall.catalogue.engine.definition import ServiceDefinition
from townhall.catalogue.engine.flow import display_answer
from townhall.connectors import Connector, connector_register
from townhall.connectors.secrets import connector_secret
from townhall.notifications.models import Delivery
from townhall.notifications.providers import DeliveryRefused, Provider, provider_register
from townhall.notifications.services import Outgoing
from townhall.webhooks.addresses import url_check
from townhall.webhooks.provider import MAX_ANSWER_BYTES, http_session

PROVIDER = "open311"


class Open311Rejected(Exception):
    """The system failed to take the request (5xx, 408, 429, or no id); retried."""


class Open311Refused(DeliveryRefused):
    """The system refused the request (4xx): retrying will not change that."""


def _attribute_value(definition: ServiceDefinition, question_id: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return ",".join(str(v) for v in value)
    question = next((q for _page, q in definition.questions() if q.id == question_id), None)
    return display_answer(question, value) if question is not None else ""


def request_fields(
    *, case: Case, definition: ServiceDefinition, destination: Mapping[str, Any]
) -> dict[str, str]:
    """The GeoReport v2 fields for a case, except the API key (added when sent)."""
    answers = case.answers
    fields = {"service_code": str(destination["service_code"])}
    if destination.get("jurisdiction_id"):
        fields["jurisdiction_id"] = str(destination["jurisdiction_id"])
    described = destination.get("description")
    description = (
        _attribute_value(definition, described, answers.get(described)) if described else ""
    )
    fields["description"] = (description or case.summary or definition.name)[:4000]
    location_id = str(destination.get("location") or "")
    location = answers.get(location_id) if location_id else None
    if isinstance(location, dict):
        point = location.get("point") or {}
        if "lat" in point and "lon" in point:
            fields["lat"], fields["long"] = str(point["lat"]), str(point["lon"])
        fields["address_string"] = _attribute_value(definition, location_id, location)
    elif isinstance(location, str) and location:
        fields["address_string"] = location
    if case.contact_email:
        fields["email"] = case.contact_email
    for code, question_id in destination.get("attributes", {}).items():
        value = answers.get(question_id)
        if value not in (None, "", []):
            fields[f"attribute[{code}]"] = _attribute_value(definition, question_id, value)
    return fields


class Open311Connector(Connector):
    name = "open311"

    def outgoing(
        self, *, event: CaseEvent, definition: ServiceDefinition, destination: Mapping[str, Any]
    ) -> Outgoing:
        endpoint = str(destination["endpoint"]).rstrip("/")
        return Outgoing(
            channel=Delivery.Channel.WEBHOOK,
            provider=PROVIDER,
            recipient=f"{endpoint}/requests.json",
            subject=f"Open311 {destination['service_code']}",
            payload={
                "fields": request_fields(
                    case=event.case, definition=definition, destination=destination
                ),
                "api_key": destination.get("api_key", ""),
            },
        )


class Open311Provider(Provider):
    name = PROVIDER
    channel = "webhook"
    # GeoReport v2 has no way to ask whether a request was taken: a send cut
    # off after the system took it may make a second request there.
    idempotent_retry = False

    def send(self, delivery: Delivery) -> str:
        url_check(delivery.recipient)
        fields = dict(delivery.payload.get("fields", {}))
        api_key = connector_secret(
            delivery.payload.get("api_key", ""), council=delivery.organisation.slug
        )
        if api_key:
            fields["api_key"] = api_key
        with http_session().post(
            delivery.recipient,
            data=fields,
            headers={"Accept": "application/json"},
            timeout=(settings.WEBHOOKS_CONNECT_TIMEOUT, settings.WEBHOOKS_READ_TIMEOUT),
            allow_redirects=False,
        ) as answer:
            status = answer.status_code
            text = answer.content[:MAX_ANSWER_BYTES]
        if 400 <= status < 500 and status not in (408, 429):
            raise Open311Refused(f"HTTP {status}")
        if not 200 <= status < 300:
            raise Open311Rejected(f"HTTP {status}")
        return _request_id(text)


def _request_id(text: bytes) -> str:
    """The service_request_id (or, for a system that makes it later, the
    token, prefixed "token:") from a GeoReport v2 answer."""
    import json

    try:
        answer = json.loads(text)
    except ValueError:
        raise Open311Rejected("not JSON") from None
    first = answer[0] if isinstance(answer, list) and answer else answer
    if isinstance(first, dict):
        if first.get("service_request_id"):
            return str(first["service_request_id"])
        if first.get("token"):
            return f"token:{first['token']}"
    raise Open311Rejected("no service_request_id")


connector_register(Open311Connector())
provider_register(Open311Provider())
