"""Making, checking and revoking API keys.

A key reads `th_<prefix>_<secret>`: the prefix finds its row, and only a
SHA-256 hash of the whole key is stored. Keys are 256 bits of randomness, so
a fast hash is enough (nothing could guess one by trying hashes); see ADR 38.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from townhall.accounts.models import User
from townhall.core.throttle import throttle_allows
from townhall.integrations.models import ApiKey
from townhall.tenancy.models import Organisation

KEY_PATTERN = re.compile(r"^th_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
SCOPE_ORDER = [ApiKey.Scope.READ, ApiKey.Scope.WRITE, ApiKey.Scope.ADMIN]
# Writing `last_used_at` on every request would turn each read into a write;
# to the minute is what anyone looking at it needs.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class NewKey:
    """A key just made: `key` is the only time the secret exists in full."""

    api_key: ApiKey
    key: str


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def scope_allows(granted: str, needed: str) -> bool:
    """Whether a key with scope `granted` may do what needs `needed`."""
    return SCOPE_ORDER.index(ApiKey.Scope(granted)) >= SCOPE_ORDER.index(ApiKey.Scope(needed))


def api_key_create(
    *,
    organisation: Organisation,
    name: str,
    scope: str = ApiKey.Scope.READ,
    created_by: User | None = None,
) -> NewKey:
    """Make a key for one integration of `organisation`. The returned `key`
    is shown to whoever asked for it and never again."""
    name = name.strip()
    if not name:
        raise ValueError("Give the key a name, such as the system that will use it")
    ApiKey.Scope(scope)  # ValueError for an unknown scope
    for _attempt in range(5):
        prefix = secrets.token_hex(6)
        key = f"th_{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with transaction.atomic():
                api_key = ApiKey.objects.create(
                    organisation=organisation,
                    name=name,
                    scope=scope,
                    prefix=prefix,
                    key_hash=_hash(key),
                    created_by=created_by,
                )
        except IntegrityError:  # the one-in-2^48 prefix collision
            continue
        return NewKey(api_key=api_key, key=key)
    raise RuntimeError("Could not find an unused key prefix")


def api_key_revoke(*, api_key: ApiKey) -> None:
    """Stop `api_key` working, at once and for good."""
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])


def api_key_authenticate(key: str) -> ApiKey | None:
    """The active key that `key` is, or None (malformed, unknown, wrong or
    revoked: the caller cannot tell which, and takes the same time either way)."""
    match = KEY_PATTERN.match(key.strip())
    if match is None:
        return None
    # The prefix is unique, so no ORDER BY (which `first()` would add): the
    # query is cheaper to build, and this runs on every API request.
    found = list(
        ApiKey.objects.select_related("organisation")
        .filter(prefix=match.group(1), revoked_at__isnull=True)
        .order_by()[:1]
    )
    api_key = found[0] if found else None
    stored = api_key.key_hash if api_key is not None else "0" * 64
    if not hmac.compare_digest(stored, _hash(key)) or api_key is None:
        return None
    _note_use(api_key)
    return api_key


def _note_use(api_key: ApiKey) -> None:
    now = timezone.now()
    if api_key.last_used_at is None or api_key.last_used_at < now - LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now


def api_key_rate_allows(api_key: ApiKey) -> bool:
    """Count one more request for `api_key`; False once it has made more than
    `API_RATE_LIMIT` requests in the last minute."""
    return throttle_allows(
        key=f"api-key:{api_key.pk}",
        limit=settings.API_RATE_LIMIT,
        window=timedelta(minutes=1),
    )
