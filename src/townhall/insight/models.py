"""A council's own costs per transaction, and whether it is named to the
other councils on a shared installation."""

from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from townhall.cases.models import Channel
from townhall.tenancy.models import Organisation


class CouncilRate(models.Model):
    """What one transaction by `channel` costs this council, in pence,
    replacing the published default (see `rates.DEFAULT_RATES`)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="cost_rates"
    )
    channel = models.CharField(max_length=20, choices=Channel.choices)
    pence = models.PositiveIntegerField(validators=[MaxValueValidator(1_000_000)])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "channel"], name="one_rate_a_channel")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.channel}: {self.pence}p"


class InsightSharing(models.Model):
    """Other councils on the installation see this one's figures as an
    anonymous benchmark unless it agrees to be named."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="insight_sharing"
    )
    named = models.BooleanField(
        default=False, help_text=_("Show our name beside our figures to other councils.")
    )

    def __str__(self) -> str:
        return f"{self.organisation}: {'named' if self.named else 'anonymous'}"


class ContactDay(models.Model):
    """Contacts of one local day, counted by service, channel, reason and
    whether staff marked them avoidable: what insight sums instead of
    counting millions of contacts each time (see `rollup.py`)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    service = models.ForeignKey(
        "catalogue.Service", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=20, choices=Channel.choices)
    reason = models.CharField(max_length=20)
    avoidable = models.BooleanField(null=True)
    count = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["organisation", "day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.channel}: {self.count}"


class CaseDay(models.Model):
    """Cases of one local day by service and ward: how many were opened that
    day, and how many closed that day, on time or not, and how long those
    took in total (seconds), so averages are exact sums over days."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    service = models.ForeignKey(
        "catalogue.Service", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ward = models.CharField(max_length=20, blank=True)
    opened = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    closed_on_time = models.PositiveIntegerField(default=0)
    close_seconds = models.BigIntegerField(default=0)
    # Cases first answered (a status change) that day, and their total wait.
    responded = models.PositiveIntegerField(default=0)
    response_seconds = models.BigIntegerField(default=0)
    # Cases reopened that day (by staff, or by a resident saying it is not fixed).
    reopened = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["organisation", "day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.ward}: {self.opened} opened, {self.closed} closed"


class RollupState(models.Model):
    """Days before `complete_until` are in the roll-up tables; later days
    are counted from the contacts and cases themselves."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="+")
    complete_until = models.DateField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.organisation}: to {self.complete_until}"


class TrackingDay(models.Model):
    """How many times residents found their case on /track/ in a day: each
    is a "where is my request?" call or visit the council did not get."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    lookups = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "day"], name="one_tracking_row_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.lookups}"
