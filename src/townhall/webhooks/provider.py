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
from typing import TYPE_CHECKING

import requests
from django.conf import settings

from townhall.notifications.providers import DeliveryRefused, Provider, provider_register
from townhall.webhooks import signing
from townhall.webhooks.addresses import url_check
from townhall.webhooks.models import Endpoint
from townhall.webhooks.services import endpoint_delivered, endpoint_failed

if TYPE_CHECKING:
    from townhall.notifications.models import Delivery

USER_AGENT = "Townhall-Webhooks/1"
# Enough of an answer to be polite; the rest is not read.
MAX_ANSWER_BYTES = 64 * 1024


class EndpointGone(DeliveryRefused):
    """The endpoint was deleted."""


class EndpointDisabled(DeliveryRefused):
    """The endpoint is turned off."""


class WebhookRejected(Exception):
    """The endpoint answered with something other than 2xx."""


_local = threading.local()


def _session() -> requests.Session:
    """One session per thread, so connections to an endpoint are kept open."""
    session: requests.Session | None = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        session.headers["User-Agent"] = USER_AGENT
        _local.session = session
    return session


class WebhookProvider(Provider):
    name = "webhook"
    channel = "webhook"
    # Townhall cannot ask a receiver whether it took a request that was cut
    # off: a retry may repeat it, with the same event id to drop it by.
    idempotent_retry = False

    def send(self, delivery: Delivery) -> str:
        endpoint = Endpoint.objects.filter(pk=delivery.payload.get("endpoint_id")).first()
        if endpoint is None:
            raise EndpointGone(delivery.pk)
        if not endpoint.is_active:
            raise EndpointDisabled(delivery.pk)
        url_check(endpoint.url)
        body = delivery.body.encode("utf-8")
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            signing.ID_HEADER: str(delivery.payload.get("event_id", delivery.reference)),
            signing.EVENT_HEADER: str(delivery.payload.get("type", "")),
            signing.TIMESTAMP_HEADER: str(timestamp),
            signing.SIGNATURE_HEADER: signing.signature(
                secret=endpoint.secret, timestamp=timestamp, body=body
            ),
        }
        try:
            with _session().post(
                endpoint.url,
                data=body,
                headers=headers,
                timeout=(settings.WEBHOOKS_CONNECT_TIMEOUT, settings.WEBHOOKS_READ_TIMEOUT),
                allow_redirects=False,
                stream=True,
            ) as answer:
                next(answer.iter_content(MAX_ANSWER_BYTES), b"")
                status = answer.status_code
        except requests.RequestException as error:
            endpoint_failed(endpoint_id=endpoint.pk, error=type(error).__name__)
            raise
        if not 200 <= status < 300:
            endpoint_failed(endpoint_id=endpoint.pk, error=f"HTTP {status}")
            raise WebhookRejected(f"HTTP {status}")
        endpoint_delivered(endpoint_id=endpoint.pk)
        return f"HTTP {status}"


provider_register(WebhookProvider(), default=True)
