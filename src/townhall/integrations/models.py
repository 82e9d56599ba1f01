"""API keys: how another system (a back-office system, a council's own front
end, an Open311 client) is known to Townhall's APIs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from townhall.tenancy.models import Organisation


class ApiKey(models.Model):
    """One integration's key, tied to one council. Only a hash of the key is
    kept: the key itself is shown once, when it is made (see `keys.py`)."""

    class Scope(models.TextChoices):
        # Each scope includes the ones before it (see `keys.scope_allows`).
        READ = "read", _("Read services and cases")
        WRITE = "write", _("Read, and create and update cases")
        ADMIN = "admin", _("Read, write, and manage services")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(
        max_length=100, help_text=_("Who uses the key, for example “Highways system”.")
    )
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.READ)
    # The key's public part: finds the row without scanning, and lets staff
    # tell keys apart. The secret part is only ever hashed.
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation", "name", "pk"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def shown_prefix(self) -> str:
        """How staff tell keys apart: the start of the key, as it is written."""
        return f"th_{self.prefix}_"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
