"""Types for what clients send, refused before any query when they cannot be
right: a slug of letters, digits and hyphens, text without NUL characters
(which PostgreSQL cannot store), times with a time zone, ids in range."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, StringConstraints

from townhall.integrations.api.errors import ApiError

Slug = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]+$", max_length=80)]
StatusId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]+$", max_length=60)]
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _iso_only(value: Any) -> Any:
    # Pydantic would also take a number of seconds; the schema promises ISO 8601.
    if isinstance(value, str) and not ISO_DATETIME.match(value):
        raise ValueError("Give a date and time with a time zone, as 2026-03-27T09:30:00Z")
    return value


# Real time zones are between 12 hours behind and 14 ahead of UTC; PostgreSQL
# cannot take an offset much past that (a 500, before this check).
LONGEST_OFFSET = timedelta(hours=14)


def _real_zone(value: datetime) -> datetime:
    offset = value.utcoffset()
    if offset is None or abs(offset) > LONGEST_OFFSET:
        raise ValueError("Give a time zone between -12:00 and +14:00, such as Z or +01:00")
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("Give a date between the years 1 and 9999") from None


Time = Annotated[AwareDatetime, BeforeValidator(_iso_only), AfterValidator(_real_zone)]
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


NO_NUL = r"^[^\x00]*$"
# A note or a message to the resident: what the back office's forms allow.
Note = Annotated[str, StringConstraints(pattern=NO_NUL, min_length=1, max_length=5000)]
Message = Annotated[str, StringConstraints(pattern=NO_NUL, max_length=5000)]


def _nul_paths(value: Any, path: str) -> Iterator[str]:
    if isinstance(value, str):
        if "\x00" in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}"
            if "\x00" in key:
                yield child
            yield from _nul_paths(item, child)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_paths(item, f"{path}.{index}")


def refuse_nul(value: Any, path: str) -> None:
    """Refuse a JSON document with a NUL character anywhere in it, naming where."""
    found = next(_nul_paths(value, path), None)
    if found is not None:
        raise ApiError(
            422, "invalid", _("Text cannot contain NUL characters."), found.replace("\x00", "\\0")
        )
