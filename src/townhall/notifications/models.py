"""The outbox: every message Townhall sends (an email now; a text message, a
letter or a webhook later) is a `Delivery` row, written before it is sent,
delivered by a background task through a provider, retried until sent."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from townhall.tenancy.models import Organisation


class Delivery(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("Text message")
        LETTER = "letter", _("Letter")
        WEBHOOK = "webhook", _("Webhook")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        RETRYING = "retrying", _("Not sent yet, retrying")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed (gave up)")

    # Stable for the row's life, so every attempt carries the same identity:
    # the email's Message-ID, and the reference a provider such as GOV.UK
    # Notify can look a message up by.
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(
        "cases.CaseEvent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
        help_text="The case event this message reports, if any.",
    )
    subscriber = models.CharField(
        max_length=60, blank=True, help_text="The event subscriber that wrote it."
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    provider = models.CharField(max_length=40, help_text="The provider that delivers it.")
    recipient = models.CharField(
        max_length=500, help_text="An email address, a phone number or a URL."
    )
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True, help_text="For structured messages.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    interrupted = models.BooleanField(
        default=False,
        help_text="An attempt stopped mid-send, so the provider may have taken it already.",
    )
    provider_reference = models.CharField(
        max_length=200, blank=True, help_text="The provider's own id for the message."
    )
    order_key = models.CharField(
        max_length=100,
        blank=True,
        help_text=(
            "Rows with the same key are delivered one at a time, in the order they were "
            "written: a row waits while an earlier one with its key is unsent."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "deliveries"
        indexes = [
            models.Index(fields=["status", "last_attempt_at"]),
            models.Index(
                fields=["order_key", "id"],
                condition=~models.Q(order_key=""),
                name="notifications_delivery_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.pk} ({self.status})"

    @property
    def may_have_repeated(self) -> bool:
        """True when an interrupted attempt was tried again through a provider
        that cannot tell a repeat from a new message, so the recipient may have
        it twice."""
        from townhall.notifications.providers import provider_registered

        if not self.interrupted:
            return False
        provider = provider_registered(self.provider)
        return provider is None or not provider.idempotent_retry
