"""Alerts: residents who asked, by email, to hear of new public reports in a
ward or near a postcode (`alerts.services`)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from townhall.tenancy.models import Site


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", _("As each report is made")
    DAILY = "daily", _("Once a day")


class SubscriptionQuerySet(models.QuerySet["Subscription"]):
    def active(self) -> SubscriptionQuerySet:
        """Confirmed (double opt-in) and not unsubscribed."""
        return self.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)


class Subscription(models.Model):
    """One email address's alert for one place on one site: a ward (by its
    code) or a circle round a postcode. Only confirmed subscriptions are sent
    anything; `sent_until` is when the last alert's reports end."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="alert_subscriptions")
    email = models.EmailField()
    language = models.CharField(max_length=10, default="en")
    frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.IMMEDIATE
    )
    ward_code = models.CharField(max_length=40, blank=True)
    place_name = models.CharField(max_length=200, help_text=_("The ward or postcode, as shown."))
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    radius_metres = models.PositiveIntegerField(null=True, blank=True)
    # Random, in every signed link: a new subscription's links never work for an old one.
    nonce = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    sent_until = models.DateTimeField(null=True, blank=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["site", "frequency", "ward_code"], name="alert_ward"),
            models.Index(fields=["site", "frequency", "lat", "lon"], name="alert_point"),
        ]

    def __str__(self) -> str:
        return f"Alert for {self.place_name}"
