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
