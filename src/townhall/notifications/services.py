"""The outbox: writing messages to send, sending them through their provider,
and finding those whose delivery was lost."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Case as CaseWhen
from django.db.models import F, Q, QuerySet, Value, When
from django.utils import timezone

from townhall.core.tasks import call_now
from townhall.notifications.models import Delivery, NotifySettings
from townhall.notifications.providers import (
    DeliveryRefused,
    PermanentFailure,
    provider_for,
    provider_get,
    provider_registered,
)
from townhall.tenancy.models import Organisation

if TYPE_CHECKING:
    from townhall.cases.models import Case, CaseEvent

logger = logging.getLogger(__name__)


# Attempts before a delivery is given up: with the task backoff (30s doubling to
# at most 6h) the last comes about two and a half days after the first.
MAX_ATTEMPTS = 20
# A row left "sending" this long was cut off mid-send (the worker stopped):
# far longer than a send can take (EMAIL_TIMEOUT is seconds), short enough that
# a repeat, if the provider had taken it, comes minutes after the first.
SENDING_STALE = timedelta(minutes=10)
# A row never attempted this long after it was written lost its task.
NEVER_ATTEMPTED_STALE = timedelta(minutes=15)
# A row retrying whose last attempt is older than the longest backoff lost its task.
RETRYING_STALE = timedelta(hours=7)


class NotDelivered(Exception):
    """Delivery failed; the message names the row and the error's type, nothing else."""


@dataclass(frozen=True)
class Outgoing:
    """A message to write to the outbox: what an event subscriber returns."""

    channel: str
    recipient: str
    subject: str = ""
    body: str = ""
    payload: Mapping[str, Any] = field(default_factory=dict)
    provider: str = ""  # empty: the channel's default provider
    # Rows with the same key are delivered in the order they were written (see Delivery).
    order_key: str = ""


def delivery_add(
    *,
    organisation: Organisation,
    outgoing: Outgoing,
    case: Case | None = None,
    event: CaseEvent | None = None,
    subscriber: str = "",
) -> Delivery:
    """Write a message to the outbox, in the caller's transaction, without
    queueing its delivery: the caller enqueues it (`delivery_enqueue`) once
    that transaction has committed."""
    return Delivery.objects.create(
        organisation=organisation,
        case=case,
        event=event,
        subscriber=subscriber,
        channel=outgoing.channel,
        provider=outgoing.provider or provider_for(outgoing.channel, organisation),
        recipient=outgoing.recipient,
        subject=" ".join(outgoing.subject.split())[:200],
        body=outgoing.body,
        payload=dict(outgoing.payload),
        order_key=outgoing.order_key,
    )


def delivery_enqueue(*, delivery_id: int) -> None:
    """Start the task that sends a committed outbox row."""
    from townhall.notifications.tasks import deliver

    deliver.enqueue(delivery_id)


def delivery_queue(
    *, organisation: Organisation, outgoing: Outgoing, case: Case | None = None
) -> Delivery:
    """Write a message to the outbox and deliver it once the current transaction
    commits, so nothing is sent about a change that rolled back."""
    delivery = delivery_add(organisation=organisation, outgoing=outgoing, case=case)
    # If the database goes away between the commit and the enqueue, the row
    # still stands: outbox_retry queues it later.
    deliveries_wake_on_commit()
    return delivery


def deliveries_wake_on_commit() -> None:
    """Wake the batch sender once the current transaction commits (a sender
    already queued and not yet started is not queued again)."""
    transaction.on_commit(_wake_after_commit)


def _wake_after_commit() -> None:
    from townhall.notifications.batch import deliveries_wake

    call_now(deliveries_wake, "deliver_due")


def email_queue(
    *, organisation: Organisation, to: str, subject: str, body: str, case: Case | None = None
) -> Delivery:
    """`delivery_queue` for an email."""
    outgoing = Outgoing(channel=Delivery.Channel.EMAIL, recipient=to, subject=subject, body=body)
    return delivery_queue(organisation=organisation, outgoing=outgoing, case=case)


def delivery_send(*, delivery_id: int) -> None:
    """Send one outbox row through its provider unless it is sent or being sent.
    Raises on failure so the task is retried; the recipient is never logged.

    The row is claimed (status "sending") in one UPDATE before anything is sent,
    so two tasks for the same row (a retry queued while the worker was down)
    never both send it.
    """
    from townhall.notifications.claims import claims_hold, claims_release

    # On PostgreSQL the claim lock is held from before the row is marked
    # "sending" until its outcome is recorded (see `claims`).
    if not claims_hold([delivery_id]):
        return  # being claimed or recovered by another worker, who sends it
    try:
        _delivery_send_claimed(delivery_id)
    finally:
        claims_release([delivery_id])


def _delivery_send_claimed(delivery_id: int) -> None:
    claimed = (
        Delivery.objects.filter(pk=delivery_id)
        .exclude(status__in=[Delivery.Status.SENT, Delivery.Status.SENDING])
        .update(
            status=Delivery.Status.SENDING,
            attempts=F("attempts") + 1,
            last_attempt_at=timezone.now(),
        )
    )
    if not claimed:
        return
    # With the council's Notify settings, if any, in the same query: a provider
    # configured per council reads them for every message.
    delivery = Delivery.objects.select_related("organisation", "organisation__notify_settings").get(
        pk=delivery_id
    )
    if delivery.order_key and _wait_for_earlier(delivery):
        return
    provider_prepare([delivery])
    outcome = delivery_attempt(delivery)
    if outcome.retry:
        # Raised afresh, without the original: its text can hold the recipient's
        # address (SMTPRecipientsRefused's does), and task backends log tracebacks.
        raise NotDelivered(f"delivery {delivery.pk}: {outcome.error}")
    if outcome.sent and delivery.order_key:
        _wake_next(delivery)


def provider_prepare(deliveries: list[Delivery]) -> None:
    """Let each provider of `deliveries` load what it needs for all of them at
    once (a webhook's endpoints), before they are sent."""
    by_provider: dict[str, list[Delivery]] = {}
    for delivery in deliveries:
        by_provider.setdefault(delivery.provider, []).append(delivery)
    for name, rows in by_provider.items():
        provider = provider_registered(name)
        if provider is not None:
            provider.prepare(rows)


@dataclass(frozen=True)
class Attempt:
    """What one attempt came to: sent, or not (`retry` when a later attempt
    may succeed or this was the last), and the error's type name."""

    sent: bool
    retry: bool = False
    error: str = ""
    # The provider's reference, when the caller records the sending itself.
    reference: str = ""


def delivery_attempt(delivery: Delivery, *, record_sent: bool = True) -> Attempt:
    """Send a claimed row through its provider and record the outcome in one
    UPDATE (a success only if `record_sent`: the batch sender records its
    successes together). Never raises for the provider's failures: the
    outcome says them."""
    try:
        provider_reference = provider_get(delivery.provider).send(delivery)
    except PermanentFailure as refusal:
        # Not retried: a retry cannot help, and staff choose what to do instead.
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.FAILED, permanent=True, last_error=str(refusal)[:200]
        )
        logger.warning("%s %s refused for good", delivery.channel, delivery.pk)
        return Attempt(sent=False, error=type(refusal).__name__)
    except DeliveryRefused as error:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.FAILED, last_error=type(error).__name__[:200]
        )
        logger.warning("%s %s refused: %s", delivery.channel, delivery.pk, type(error).__name__)
        return Attempt(sent=False, error=type(error).__name__)
    except Exception as error:
        gave_up = delivery.attempts >= MAX_ATTEMPTS
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.FAILED if gave_up else Delivery.Status.RETRYING,
            last_error=type(error).__name__[:200],
        )
        logger.warning(
            "%s %s not delivered (attempt %d)", delivery.channel, delivery.pk, delivery.attempts
        )
        return Attempt(sent=False, retry=True, error=type(error).__name__)
    if not record_sent:
        return Attempt(sent=True, reference=(provider_reference or "")[:200])
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENT,
        sent_at=timezone.now(),
        last_error="",
        provider_reference=(provider_reference or "")[:200],
    )
    return Attempt(sent=True)


def _earlier_unsent(delivery: Delivery) -> QuerySet[Delivery]:
    return Delivery.objects.filter(order_key=delivery.order_key, pk__lt=delivery.pk).exclude(
        status=Delivery.Status.SENT
    )


def _wait_for_earlier(delivery: Delivery) -> bool:
    """Put a claimed row back to wait, without counting an attempt, if an
    earlier row with its order key is unsent; True if it waits. The earlier
    row's task starts it once that one is sent (`_wake_next`)."""
    if not _earlier_unsent(delivery).exists():
        return False
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.PENDING, attempts=F("attempts") - 1
    )
    # The earlier row may have been sent between the look and the update, its
    # wake-up finding this one still "sending": look again, and go on if so.
    if not _earlier_unsent(delivery).exists():
        delivery_enqueue(delivery_id=delivery.pk)
    return True


def _wake_next(delivery: Delivery) -> None:
    """Start the next row with the same order key if it waited for this one."""
    following = (
        Delivery.objects.filter(order_key=delivery.order_key, pk__gt=delivery.pk)
        .exclude(status=Delivery.Status.SENT)
        .order_by("pk")
        .only("pk", "status", "last_attempt_at")
        .first()
    )
    if following is None or following.status != Delivery.Status.PENDING:
        return
    if following.last_attempt_at is not None:
        # It waited (tried, and put back): its own task again.
        delivery_enqueue(delivery_id=following.pk)
    else:
        # Never tried: the batch sender passed it over while this one was unsent.
        from townhall.notifications.batch import deliveries_wake

        deliveries_wake()


def deliveries_to_retry(
    *, include_failed: bool = False, include_waiting: bool = False, channel: str | None = None
) -> QuerySet[Delivery]:
    """Rows whose delivery task was lost (the process stopped before enqueueing,
    a worker was killed mid-send): unsent, and untouched for longer than their
    task could still be waiting. With `include_failed`, also those given up on;
    with `include_waiting`, also those waiting for their next attempt (to send
    them now that the mail server is back: their own task then finds them sent)."""
    now = timezone.now()
    lost = (
        Q(status=Delivery.Status.PENDING, last_attempt_at__isnull=True)
        & Q(created_at__lt=now - NEVER_ATTEMPTED_STALE)
        | Q(status__in=[Delivery.Status.PENDING, Delivery.Status.RETRYING])
        & Q(last_attempt_at__lt=now - RETRYING_STALE)
        # Cut off mid-send: whether the provider took it is unknown (see delivery_retry).
        | Q(status=Delivery.Status.SENDING, last_attempt_at__lt=now - SENDING_STALE)
    )
    if include_failed:
        # Not those refused for good: sending them again cannot help.
        lost |= Q(status=Delivery.Status.FAILED, permanent=False)
    if include_waiting:
        lost |= Q(status=Delivery.Status.RETRYING)
    rows = Delivery.objects.filter(lost)
    if channel:
        rows = rows.filter(channel=channel)
    return rows.only("pk", "status")


def delivery_retry(*, delivery: Delivery) -> None:
    """Deliver an outbox row again, from a fresh count of attempts.

    A row left "sending" is marked `interrupted`: the provider may have taken
    it before the worker stopped. A provider with `idempotent_retry` uses the
    row's reference to send it at most once; through any other (SMTP) the
    recipient may get it twice, with the same Message-ID.
    """
    Delivery.objects.filter(pk=delivery.pk).update(
        attempts=0,
        status=Delivery.Status.PENDING,
        interrupted=CaseWhen(
            When(status=Delivery.Status.SENDING, then=Value(True)), default=F("interrupted")
        ),
    )
    transaction.on_commit(lambda: delivery_enqueue(delivery_id=delivery.pk))


NOTIFY_TEMPLATE_FIELDS = ("email_template_id", "sms_template_id", "letter_template_id")


def notify_settings_save(
    *,
    organisation: Organisation,
    enabled: bool,
    templates: Mapping[str, str],
    api_key: str = "",
    callback_token: str = "",
    email_reply_to_id: str = "",
    sms_sender_id: str = "",
) -> NotifySettings:
    """Save a council's GOV.UK Notify settings. An empty `api_key` or
    `callback_token` keeps the one saved (neither is ever shown back); the
    token is kept only as its SHA-256. `templates` maps the template fields
    (`NOTIFY_TEMPLATE_FIELDS`) to IDs ("" for a channel not sent by Notify).
    Raises ValueError when there is no API key at all."""
    from townhall.notifications.receipts import token_hash

    config = NotifySettings.objects.filter(organisation=organisation).first() or NotifySettings(
        organisation=organisation
    )
    if api_key:
        config.api_key = api_key.strip()
    if not config.api_key:
        raise ValueError("GOV.UK Notify needs an API key")
    if callback_token:
        config.callback_token_hash = token_hash(callback_token.strip())
    config.enabled = enabled
    for name in NOTIFY_TEMPLATE_FIELDS:
        setattr(config, name, templates.get(name, "").strip())
    config.email_reply_to_id = email_reply_to_id.strip()
    config.sms_sender_id = sms_sender_id.strip()
    config.save()
    return config
