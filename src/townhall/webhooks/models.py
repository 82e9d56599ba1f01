"""Webhook endpoints: the addresses a council's own systems give to hear about
its cases, each with the events it wants and the secret its requests are
signed with. What is sent to them is an outbox row each (`notifications.Delivery`,
channel "webhook"), not a row here."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from townhall.core.encryption import EncryptedTextField, secret_hint
from townhall.tenancy.models import Organisation


class EndpointQuerySet(models.QuerySet["Endpoint"]):
    def for_organisation(self, organisation: Organisation) -> EndpointQuerySet:
        return self.filter(organisation=organisation)

    def active(self) -> EndpointQuerySet:
        return self.filter(is_active=True)


class Endpoint(models.Model):
    class DisabledReason(models.TextChoices):
        BY_STAFF = "by_staff", _("Turned off by staff")
        FAILING = "failing", _("Turned off after failing for too long")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(
        default=list, help_text=_("The event types it is sent, such as case.created.")
    )
    # Every request is signed with it, so it is kept, encrypted. Shown once, when made.
    secret = EncryptedTextField(editable=False)
    is_active = models.BooleanField(default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=20, choices=DisabledReason.choices, blank=True)
    # Health: when the current run of failures began (none while it works).
    failing_since = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EndpointQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.url

    @property
    def secret_hint(self) -> str:
        """The secret's last four characters: enough to recognise it."""
        return secret_hint(self.secret)
