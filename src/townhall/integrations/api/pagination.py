"""Cursor pagination: each page ends with an opaque cursor naming its last
row, and the next page starts after it (keyset pagination). It is as fast on
the thousandth page as the first, because the database walks an index from
the cursor instead of counting rows to skip, and rows added meanwhile never
shift a page."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Generic, TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _
from ninja import Schema

from townhall.integrations.api.errors import ApiError

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

M = TypeVar("M", bound=Model)
T = TypeVar("T")


class Page(Schema, Generic[T]):
    results: list[T]
    next_cursor: str | None = None


def _encode(created_at: datetime, pk: int) -> str:
    raw = json.dumps([created_at.isoformat(), pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        stamp, pk = json.loads(raw)
        when = datetime.fromisoformat(stamp)
        if when.tzinfo is None or not isinstance(pk, int) or isinstance(pk, bool):
            raise ValueError(cursor)
        return when, pk
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as error:
        raise ApiError(
            400,
            "invalid_cursor",
            _("This cursor is not one the API gave. Start again without it."),
            "cursor",
        ) from error


def newest_first(
    queryset: QuerySet[M], *, cursor: str | None, limit: int
) -> tuple[list[M], str | None]:
    """One page of `queryset`, newest first by `created_at` then id, after
    `cursor`, and the cursor for the next page (None on the last). The
    redundant `created_at <= …` lets the database start its index scan at
    the cursor."""
    if cursor:
        created_at, pk = _decode(cursor)
        queryset = queryset.filter(created_at__lte=created_at).filter(
            Q(created_at__lt=created_at) | Q(created_at=created_at, pk__lt=pk)
        )
    rows: Sequence[M] = list(queryset.order_by("-created_at", "-pk")[: limit + 1])
    if len(rows) <= limit:
        return list(rows), None
    page = list(rows[:limit])
    last = page[-1]
    return page, _encode(last.created_at, last.pk)  # type: ignore[attr-defined]


def by_id(queryset: QuerySet[M], *, cursor: str | None, limit: int) -> tuple[list[M], str | None]:
    """One page of `queryset` in id order, for rows with no time of their own."""
    if cursor:
        _unused, pk = _decode(cursor)
        queryset = queryset.filter(pk__gt=pk)
    rows = list(queryset.order_by("pk")[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    page = rows[:limit]
    return page, _encode(datetime.fromtimestamp(0, tz=UTC), page[-1].pk)
