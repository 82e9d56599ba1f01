"""The outbox: every message Townhall sends (an email now; a text message, a
letter or a webhook later) is a `Delivery` row, written before it is sent,
delivered by a background task through a provider, retried until sent."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from townhall.core.encryption import EncryptedTextField
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

    class Receipt(models.TextChoices):
        DELIVERED = "delivered", _("Delivered")
        PERMANENT_FAILURE = "permanent-failure", _("Not delivered: wrong or unknown recipient")
        TEMPORARY_FAILURE = "temporary-failure", _("Not delivered: inbox full or phone off")
        TECHNICAL_FAILURE = "technical-failure", _("Not delivered: technical failure")
        ACCEPTED = "accepted", _("Letter accepted for printing")
        RECEIVED = "received", _("Letter posted")
        CANCELLED = "cancelled", _("Letter cancelled")
        VALIDATION_FAILED = "validation-failed", _("Letter not sent: address or content not valid")

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
    # What the provider later said happened to it (GOV.UK Notify's delivery
    # receipts): sent is "handed over", this is "reached the person or not".
    receipt = models.CharField(max_length=20, choices=Receipt.choices, blank=True)
    receipt_at = models.DateTimeField(null=True, blank=True)
    permanent = models.BooleanField(
        default=False,
        help_text="It failed in a way trying again cannot fix (a wrong number or address).",
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "deliveries"
        indexes = [
            models.Index(fields=["status", "last_attempt_at"]),
            # The batch sender's claim: pending rows, oldest first, read in
            # order (no sort of every pending row for each batch).
            models.Index(fields=["status", "id"], name="notifications_delivery_due"),
            models.Index(
                fields=["order_key", "id"],
                condition=~models.Q(order_key=""),
                name="notifications_delivery_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.pk} ({self.status})"

    @property
    def undelivered(self) -> bool:
        """True when it will not reach the person this way without staff acting:
        given up, refused for good, or reported back as not delivered."""
        return (
            self.permanent
            or self.status == self.Status.FAILED
            or self.receipt in UNDELIVERED_RECEIPTS
        )

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


UNDELIVERED_RECEIPTS = frozenset(
    {
        Delivery.Receipt.PERMANENT_FAILURE,
        Delivery.Receipt.TEMPORARY_FAILURE,
        Delivery.Receipt.TECHNICAL_FAILURE,
        Delivery.Receipt.CANCELLED,
        Delivery.Receipt.VALIDATION_FAILED,
    }
)


class NotifySettings(models.Model):
    """A council's GOV.UK Notify service: its API key, the templates Townhall
    fills in, and the bearer token Notify sends with delivery receipts. With
    one saved and enabled, the council's messages of each channel that has a
    template go through Notify instead of the default provider."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="notify_settings"
    )
    enabled = models.BooleanField(_("send through GOV.UK Notify"), default=True)
    # Kept, encrypted, to sign each request; never shown again in full (`api_key_hint`).
    api_key = EncryptedTextField(_("API key"))
    email_template_id = models.CharField(_("email template ID"), max_length=36, blank=True)
    sms_template_id = models.CharField(_("text message template ID"), max_length=36, blank=True)
    letter_template_id = models.CharField(_("letter template ID"), max_length=36, blank=True)
    email_reply_to_id = models.CharField(_("email reply-to ID"), max_length=36, blank=True)
    sms_sender_id = models.CharField(_("text message sender ID"), max_length=36, blank=True)
    # SHA-256 of the bearer token Notify sends with delivery receipts.
    callback_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("GOV.UK Notify settings")
        verbose_name_plural = _("GOV.UK Notify settings")

    def __str__(self) -> str:
        return f"GOV.UK Notify for {self.organisation}"

    @property
    def api_key_hint(self) -> str:
        """The key's name and last four characters: enough to recognise it."""
        if not self.api_key:
            return ""
        name = self.api_key[:-74] if len(self.api_key) > 74 else ""
        return f"{name}-…{self.api_key[-4:]}" if name else f"…{self.api_key[-4:]}"

    def template_for(self, channel: str) -> str:
        """The template ID for `channel` ("" when it is not sent through Notify)."""
        templates: dict[str, str] = {
            Delivery.Channel.EMAIL: self.email_template_id,
            Delivery.Channel.SMS: self.sms_template_id,
            Delivery.Channel.LETTER: self.letter_template_id,
        }
        return templates.get(channel, "")
