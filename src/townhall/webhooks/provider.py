"""The webhook provider: POSTs an outbox row's JSON body to its endpoint,
signed, and records the endpoint's health.

Anything but a 2xx answer (a redirect included: it is not followed), a
timeout or a refused connection is a failure, retried by the outbox with its
backoff. An endpoint turned off or deleted, or a URL no longer allowed,
refuses the row at once (it waits in the dead-letter list).
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import TYPE_CHECKING

import requests
from django.conf import settings
from django.utils import timezone

from townhall.notifications.providers import DeliveryRefused, Provider, provider_register
from townhall.webhooks import signing
from townhall.webhooks.addresses import url_check
from townhall.webhooks.models import Endpoint
from townhall.webhooks.services import endpoint_delivered, endpoint_failed

if TYPE_CHECKING:
    from townhall.notifications.models import Delivery

USER_AGENT = "Townhall-Webhooks/1"
HEALTH_WRITE_INTERVAL = timedelta(minutes=1)
# Enough of an answer to be polite; the rest is not read.
MAX_ANSWER_BYTES = 64 * 1024


class EndpointGone(DeliveryRefused):
    """The endpoint was deleted."""


class EndpointDisabled(DeliveryRefused):
    """The endpoint is turned off."""


class WebhookRejected(Exception):
    """The endpoint answered with something other than 2xx."""


_local = threading.local()


def http_session() -> requests.Session:
    """One session per thread, so connections to an endpoint are kept open."""
    session: requests.Session | None = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        session.headers["User-Agent"] = USER_AGENT
        _local.session = session
    return session


def post_json(*, url: str, body: bytes, secret: str, event_id: str, event_type: str) -> int:
    """POST `body` to `url`, signed with `secret` (unsigned if it is empty),
    after checking the URL is one a webhook may reach; returns the answer's
    status. Raises AddressNotAllowed, or requests' errors (timeouts, refused
    connections)."""
    url_check(url)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        signing.ID_HEADER: event_id,
        signing.EVENT_HEADER: event_type,
        signing.TIMESTAMP_HEADER: str(timestamp),
    }
    if secret:
        headers[signing.SIGNATURE_HEADER] = signing.signature(
            secret=secret, timestamp=timestamp, body=body
        )
    with http_session().post(
        url,
        data=body,
        headers=headers,
        timeout=(settings.WEBHOOKS_CONNECT_TIMEOUT, settings.WEBHOOKS_READ_TIMEOUT),
        allow_redirects=False,
        stream=True,
    ) as answer:
        next(answer.iter_content(MAX_ANSWER_BYTES), b"")
        return answer.status_code


class WebhookProvider(Provider):
    name = "webhook"
    channel = "webhook"
    # Townhall cannot ask a receiver whether it took a request that was cut
    # off: a retry may repeat it, with the same event id to drop it by.
    idempotent_retry = False

    def prepare(self, deliveries: list[Delivery]) -> None:
        # The endpoints of a batch in one query, each row's taken once by its
        # send (a batch is sent by one thread, one row after another); rows to
        # one endpoint share its object, so what a send learns (it failed, it
        # was turned off) holds for the rest of the batch.
        ids = {delivery.payload.get("endpoint_id") for delivery in deliveries}
        endpoints = Endpoint.objects.in_bulk([pk for pk in ids if isinstance(pk, int)])
        _local.endpoints = {
            delivery.pk: endpoints.get(delivery.payload.get("endpoint_id"))
            for delivery in deliveries
        }

    def endpoint(self, delivery: Delivery) -> Endpoint | None:
        prepared: dict[int, Endpoint | None] = getattr(_local, "endpoints", {})
        if delivery.pk in prepared:
            return prepared.pop(delivery.pk)
        return Endpoint.objects.filter(pk=delivery.payload.get("endpoint_id")).first()

    def send(self, delivery: Delivery) -> str:
        endpoint = self.endpoint(delivery)
        if endpoint is None:
            raise EndpointGone(delivery.pk)
        if not endpoint.is_active:
            raise EndpointDisabled(delivery.pk)
        try:
            status = post_json(
                url=endpoint.url,
                body=delivery.body.encode("utf-8"),
                secret=endpoint.secret,
                event_id=str(delivery.payload.get("event_id", delivery.reference)),
                event_type=str(delivery.payload.get("type", "")),
            )
        except requests.RequestException as error:
            self.failed(endpoint, type(error).__name__)
            raise
        if not 200 <= status < 300:
            self.failed(endpoint, f"HTTP {status}")
            raise WebhookRejected(f"HTTP {status}")
        # Its health changes only after a failure; a working endpoint's last
        # success is written at most once a minute, not once a message.
        if endpoint.failing_since is not None or (
            endpoint.last_success_at is None
            or timezone.now() - endpoint.last_success_at > HEALTH_WRITE_INTERVAL
        ):
            endpoint_delivered(endpoint_id=endpoint.pk)
            # The prepared copy too, so the rest of its batch does not write it again.
            endpoint.last_success_at, endpoint.failing_since = timezone.now(), None
        return f"HTTP {status}"

    @staticmethod
    def failed(endpoint: Endpoint, error: str) -> None:
        if endpoint_failed(endpoint_id=endpoint.pk, error=error):
            # Turned off: the rest of its batch is refused, as it would be if read afresh.
            endpoint.is_active = False
        elif endpoint.failing_since is None:
            endpoint.failing_since = timezone.now()


provider_register(WebhookProvider(), default=True)
