"""Case references: short enough to read over the phone, random so that one
reference says nothing about any other."""

from __future__ import annotations

import secrets

from django.utils import timezone

REFERENCE_DIGITS = 8


def new_reference(prefix: str) -> str:
    """For example EXA-2026-48210937. Uniqueness is the database's to enforce."""
    number = secrets.randbelow(10**REFERENCE_DIGITS)
    return f"{prefix}-{timezone.localdate().year}-{number:0{REFERENCE_DIGITS}d}"


def normalise_reference(text: str) -> str:
    return "".join(text.split()).upper()
