"""Signing webhook requests: HMAC-SHA256 over the timestamp, a full stop and
the body, with the endpoint's secret, sent as `v1=<hex>` (docs/webhooks.md
shows how a receiver checks it)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)
ID_HEADER = "Townhall-Webhook-Id"
TIMESTAMP_HEADER = "Townhall-Webhook-Timestamp"
SIGNATURE_HEADER = "Townhall-Webhook-Signature"
EVENT_HEADER = "Townhall-Webhook-Event"
# How far a receiver should let a timestamp be from its own clock.
TOLERANCE_SECONDS = 300


def secret_new() -> str:
    """A new signing secret: 256 random bits."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value for `body` sent at `timestamp` (Unix seconds)."""
    signed = str(timestamp).encode("ascii") + b"." + body
    digest = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def signature_valid(*, secret: str, timestamp: str, body: bytes, header: str, now: int) -> bool:
    """Whether a request's signature header holds a good `v1` signature of its
    body and timestamp, made within TOLERANCE_SECONDS of `now`. What the
    docs ask receivers to do, used by the tests as a receiver."""
    if not timestamp.isdigit() or abs(now - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    expected = signature(secret=secret, timestamp=int(timestamp), body=body)
    return any(hmac.compare_digest(expected, part.strip()) for part in header.split(","))
