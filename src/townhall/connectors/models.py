"""What Townhall remembers about polling upstream Open311 systems for updates:
one row per system (endpoint and jurisdiction) a council's services send
cases to, with the end of the last window it read in full."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from townhall.tenancy.models import Organisation


class Open311Poll(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    endpoint = models.CharField(_("endpoint"), max_length=500)
    jurisdiction_id = models.CharField(max_length=100, blank=True)
    # The next poll asks for updates from here; moved on only when a whole
    # window was read and applied, so a failed poll loses nothing.
    polled_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "endpoint", "jurisdiction_id"],
                name="connectors_open311_poll_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} ({self.organisation_id})"
