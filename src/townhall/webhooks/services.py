"""Webhook endpoints: adding, turning off and on, deleting; what their health
is; and replaying messages that were given up on (the dead letters)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from townhall.accounts.models import User
from townhall.notifications.messages import message_render
from townhall.notifications.models import Delivery
from townhall.notifications.services import delivery_retry, email_queue
from townhall.tenancy.models import Membership, Organisation
from townhall.tenancy.selectors import public_url_for
from townhall.webhooks.addresses import AddressNotAllowed, url_check
from townhall.webhooks.models import Endpoint
from townhall.webhooks.payloads import EVENT_TYPES
from townhall.webhooks.signing import secret_new

logger = logging.getLogger(__name__)

UNSENT = [Delivery.Status.PENDING, Delivery.Status.RETRYING]


class EndpointRefused(ValueError):
    """The endpoint cannot be added as asked; the message says why, for staff."""


def endpoint_deliveries(endpoint: Endpoint) -> QuerySet[Delivery]:
    """Every outbox row written for `endpoint`."""
    return Delivery.objects.filter(
        organisation_id=endpoint.organisation_id,
        channel=Delivery.Channel.WEBHOOK,
        payload__endpoint_id=endpoint.pk,
    )


def endpoint_add(
    *,
    organisation: Organisation,
    url: str,
    events: Iterable[str] | None = None,
    description: str = "",
    actor: User | None = None,
) -> Endpoint:
    """Subscribe `url` to `events` (every event type if none given), with a new
    signing secret. Raises EndpointRefused for a URL webhooks may not reach or
    an unknown event type."""
    url = url.strip()
    try:
        url_check(url)
    except AddressNotAllowed as error:
        raise EndpointRefused(str(error)) from None
    chosen = list(dict.fromkeys(events or EVENT_TYPES))
    unknown = [name for name in chosen if name not in EVENT_TYPES]
    if unknown:
        raise EndpointRefused(
            _("Unknown event type %(names)s: choose from %(known)s.")
            % {"names": ", ".join(unknown), "known": ", ".join(EVENT_TYPES)}
        )
    return Endpoint.objects.create(
        organisation=organisation,
        url=url,
        events=[name for name in EVENT_TYPES if name in chosen],
        description=description.strip()[:200],
        secret=secret_new(),
        created_by=actor,
    )


def endpoint_disable(*, endpoint: Endpoint, reason: str = Endpoint.DisabledReason.BY_STAFF) -> int:
    """Turn an endpoint off. What was waiting to be sent to it is given up, to
    be replayed once it is back on; returns how many messages that was."""
    with transaction.atomic():
        Endpoint.objects.filter(pk=endpoint.pk).update(
            is_active=False, disabled_at=timezone.now(), disabled_reason=reason
        )
        return (
            endpoint_deliveries(endpoint)
            .filter(status__in=UNSENT)
            .update(status=Delivery.Status.FAILED, last_error="EndpointDisabled")
        )


def endpoint_enable(*, endpoint: Endpoint) -> None:
    """Turn an endpoint back on, with a clean health record. Messages given up
    while it was off are replayed from the dead-letter list."""
    Endpoint.objects.filter(pk=endpoint.pk).update(
        is_active=True, disabled_at=None, disabled_reason="", failing_since=None, last_error=""
    )


def endpoint_delete(*, endpoint: Endpoint) -> int:
    """Delete an endpoint and the messages not yet delivered to it (there is
    nowhere left to send them); sent ones stay in the outbox's history. Returns
    how many unsent messages went."""
    with transaction.atomic():
        unsent = endpoint_deliveries(endpoint).exclude(
            status__in=[Delivery.Status.SENT, Delivery.Status.SENDING]
        )
        count, _deleted = unsent.delete()
        endpoint.delete()
    return count


def endpoint_delivered(*, endpoint_id: int) -> None:
    """Record that the endpoint took a message: its run of failures is over."""
    Endpoint.objects.filter(pk=endpoint_id).update(
        last_success_at=timezone.now(), failing_since=None, last_error=""
    )


def endpoint_failed(*, endpoint_id: int, error: str) -> bool:
    """Record a failed request to the endpoint; turn it off, and tell the
    council's admins, once it has failed without a success for
    WEBHOOKS_DISABLE_AFTER_HOURS. Returns True if this turned it off."""
    now = timezone.now()
    Endpoint.objects.filter(pk=endpoint_id).update(
        last_failure_at=now, failing_since=Coalesce("failing_since", now), last_error=error[:100]
    )
    cutoff = now - timedelta(hours=settings.WEBHOOKS_DISABLE_AFTER_HOURS)
    with transaction.atomic():
        # One UPDATE decides, so two failing workers send one notice.
        turned_off = Endpoint.objects.filter(
            pk=endpoint_id, is_active=True, failing_since__lte=cutoff
        ).update(is_active=False, disabled_at=now, disabled_reason=Endpoint.DisabledReason.FAILING)
        if not turned_off:
            return False
        endpoint = Endpoint.objects.select_related("organisation").get(pk=endpoint_id)
        held = (
            endpoint_deliveries(endpoint)
            .filter(status__in=UNSENT)
            .update(status=Delivery.Status.FAILED, last_error="EndpointDisabled")
        )
        _notice_send(endpoint=endpoint, held=held)
    logger.warning("webhook endpoint %s turned off after failing since %s", endpoint_id, cutoff)
    return True


def _notice_send(*, endpoint: Endpoint, held: int) -> None:
    """Email the council's admins (or its contact address) that an endpoint was turned off."""
    organisation = endpoint.organisation
    admins = list(
        Membership.objects.filter(
            organisation=organisation, role=Membership.Role.ORGANISATION_ADMIN
        ).values_list("user__email", flat=True)
    )
    recipients = [address for address in admins if address] or [organisation.contact_email]
    message = message_render(
        channel="email",
        name="webhook_disabled",
        context={
            "council_name": organisation.name,
            "url": endpoint.url,
            "since": endpoint.failing_since,
            "error": endpoint.last_error,
            "held": held,
            "manage_url": public_url_for(organisation) + reverse("backoffice:webhooks"),
        },
    )
    for address in filter(None, recipients):
        email_queue(
            organisation=organisation, to=address, subject=message.subject, body=message.body
        )


def dead_letters_replay(*, organisation: Organisation, deliveries: Iterable[Delivery]) -> int:
    """Send again the given webhook messages that were given up on, where their
    endpoint is on; each still waits for any earlier message about its case.
    Returns how many were queued."""
    active = set(
        Endpoint.objects.for_organisation(organisation).active().values_list("pk", flat=True)
    )
    queued = 0
    with transaction.atomic():
        for delivery in deliveries:
            if (
                delivery.organisation_id == organisation.pk
                and delivery.channel == Delivery.Channel.WEBHOOK
                and delivery.status == Delivery.Status.FAILED
                and delivery.payload.get("endpoint_id") in active
            ):
                delivery_retry(delivery=delivery)
                queued += 1
    return queued
