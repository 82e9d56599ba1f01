"""Limits on how often one client may do something that costs the council or
could be abused (look cases up, have emails sent to any address). Counts live
in the database, or in the cache (Redis) when THROTTLE_STORE is "cache" (the
default with REDIS_URL), so every web process on every machine shares them;
clients are known by a keyed hash of their IP address, which is not stored."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone

from townhall.core.models import Throttle


def client_key(request: HttpRequest, action: str) -> str:
    """The key that counts `action` for the client that sent `request`.

    The client is `REMOTE_ADDR`: the address that connected, or, behind trusted
    proxies, the one they name (`ProxyHeadersMiddleware` puts it there). No header
    is read here, so a client cannot choose its own key.
    """
    address = request.META.get("REMOTE_ADDR", "")
    digest = hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()
    return f"{action}:{digest[:40]}"


def throttle_allows(*, key: str, limit: int, window: timedelta) -> bool:
    """Count one more attempt for `key`; False once `limit` is passed in `window`."""
    if settings.THROTTLE_STORE == "cache":
        return _cache_allows(key=key, limit=limit, window=window)
    now = timezone.now()
    count = _counted(key=key, now=now, window=window)
    if count == 1:
        # A new client, or a new window: rare enough to pay for forgetting
        # long-finished windows.
        Throttle.objects.filter(window_started_at__lt=now - timedelta(days=1)).delete()
    return count <= limit


def _counted(*, key: str, now: datetime, window: timedelta) -> int:
    """Count one attempt in one statement (an upsert both PostgreSQL and
    SQLite run atomically), instead of a transaction that reads the row
    locked and writes it back: one round trip, and no lock held between two."""
    table = connection.ops.quote_name(Throttle._meta.db_table)
    count, started, name = (
        connection.ops.quote_name(c) for c in ("count", "window_started_at", "key")
    )
    expired = f"{table}.{started} <= %s"
    sql = (
        f"INSERT INTO {table} ({name}, {started}, {count}) VALUES (%s, %s, 1) "  # noqa: S608
        f"ON CONFLICT ({name}) DO UPDATE SET "
        f"{count} = CASE WHEN {expired} THEN 1 ELSE {table}.{count} + 1 END, "
        f"{started} = CASE WHEN {expired} THEN excluded.{started} ELSE {table}.{started} END "
        f"RETURNING {count}"
    )
    adapt = connection.ops.adapt_datetimefield_value
    cutoff = adapt(now - window)
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, adapt(now), cutoff, cutoff])
        row = cursor.fetchone()
    return int(row[0])


def _cache_allows(*, key: str, limit: int, window: timedelta) -> bool:
    """The same count in the cache: the window starts with the first attempt
    and the key expires with it. `incr` is atomic in Redis, so concurrent
    requests on any machine each count once."""
    cache_key = f"throttle:{key}"
    seconds = max(1, int(window.total_seconds()))
    cache.add(cache_key, 0, timeout=seconds)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # the window ended between the two calls
        cache.add(cache_key, 1, timeout=seconds)
        count = 1
    return count <= limit
