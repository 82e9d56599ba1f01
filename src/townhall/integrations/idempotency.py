"""Idempotent POSTs: a request sent again with the same `Idempotency-Key`
gets the first answer again, and nothing is done twice.

The key's row is written in the same transaction as the work it guards. A
second copy that arrives while the first is still running waits on the unique
constraint (PostgreSQL makes a conflicting insert wait for the transaction
that holds the key; SQLite takes the write lock at BEGIN) and then finds the
committed row with the first answer. If the first copy fails, its row goes
with its rollback, so the next copy does the work itself. See ADR 42.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from townhall.core.inserts import insert_unless_taken
from townhall.integrations.models import ApiKey, IdempotentRequest

# Printable ASCII without spaces at the ends: what a UUID or any token a
# client makes up looks like, and safe to store and compare.
KEY_PATTERN = re.compile(r"^[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?$")
# How long an answer is kept for a retry (`api_idempotency_purge` removes older ones).
KEEP_FOR = timedelta(hours=24)


class IdempotencyKeyInvalid(ValueError):
    """The header is empty, too long or has characters a key cannot have."""


class IdempotencyKeyReused(Exception):
    """The key was used before for a different request."""


@dataclass(frozen=True)
class Outcome:
    status_code: int
    body: Any  # JSON-ready
    replayed: bool = False


def fingerprint(*, method: str, path: str, body: bytes) -> str:
    """What identifies a request for its key: method, path and body. A JSON
    body counts by its meaning, so key order and spacing do not matter."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"))
        content = canonical.encode()
    except (ValueError, UnicodeDecodeError):
        content = body
    digest = hashlib.sha256()
    for part in (method.encode(), b"\x00", path.encode(), b"\x00", content):
        digest.update(part)
    return digest.hexdigest()


def idempotent_run(
    *,
    api_key: ApiKey,
    key: str,
    request_fingerprint: str,
    operation: Callable[[], Outcome],
) -> Outcome:
    """Run `operation` once for (`api_key`, `key`), or give the answer it gave.

    `operation` runs inside this transaction; an exception from it rolls back
    its work and the key's row, and is raised again. Raises
    IdempotencyKeyInvalid for a malformed key and IdempotencyKeyReused when the
    key was first sent with a different request."""
    if not KEY_PATTERN.match(key):
        raise IdempotencyKeyInvalid(key)
    with transaction.atomic():
        record = IdempotentRequest(api_key=api_key, key=key, fingerprint=request_fingerprint)
        # ON CONFLICT DO NOTHING rather than catching the unique violation:
        # no savepoint to carry on in this transaction (ADR 71).
        if not insert_unless_taken(record):
            return _earlier_outcome(api_key=api_key, key=key, fingerprint=request_fingerprint)
        outcome = operation()
        record.status_code = outcome.status_code
        record.response = outcome.body
        record.save(update_fields=["status_code", "response"])
        return outcome


def _earlier_outcome(*, api_key: ApiKey, key: str, fingerprint: str) -> Outcome:
    earlier = IdempotentRequest.objects.get(api_key=api_key, key=key)
    if earlier.fingerprint != fingerprint or earlier.status_code is None:
        raise IdempotencyKeyReused(key)
    return Outcome(status_code=earlier.status_code, body=earlier.response, replayed=True)


def idempotent_requests_purge(*, older_than: timedelta = KEEP_FOR) -> int:
    """Forget the answers kept for retries longer than `older_than`; returns
    how many went. A key used again after that is a new request."""
    cutoff = timezone.now() - older_than
    deleted, _by_model = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted
