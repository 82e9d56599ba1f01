"""Case references: short enough to read over the phone, random so that one
reference says nothing about any other."""

from __future__ import annotations

import re
import secrets

from django.utils import timezone

REFERENCE_DIGITS = 8
# How many random references a new case may draw before giving up.
REFERENCE_DRAWS = 10
# The council's prefix, the year and the number; the URL converter for staff
# case pages uses the same shape (`backoffice.urls`).
REFERENCE_PATTERN = r"[A-Za-z]{2,5}-[0-9]{4}-[0-9]{8}"
_REFERENCE = re.compile(REFERENCE_PATTERN)


def new_reference(prefix: str) -> str:
    """For example EXA-2026-48210937. Uniqueness is the database's to enforce."""
    number = secrets.randbelow(10**REFERENCE_DIGITS)
    return f"{prefix}-{timezone.localdate().year}-{number:0{REFERENCE_DIGITS}d}"


def normalise_reference(text: str) -> str:
    return "".join(text.split()).upper()


def parse_reference(text: str) -> str | None:
    """The reference someone typed (any case, spaces anywhere), normalised, or
    None if it cannot be one. Anything else, such as a control character, is
    never looked up."""
    reference = normalise_reference(text)
    return reference if _REFERENCE.fullmatch(reference) else None
