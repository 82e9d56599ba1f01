from __future__ import annotations

from django.db import models


class Throttle(models.Model):
    """How often one client (a keyed hash, never an address) did one thing in
    the current window; see `throttle.py`."""

    key = models.CharField(max_length=100, unique=True)
    window_started_at = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.key
