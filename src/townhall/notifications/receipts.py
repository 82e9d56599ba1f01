"""GOV.UK Notify's delivery receipts: what happened to a message after Notify
took it (delivered, or not and why), recorded on its outbox row.

Notify posts one JSON object per message to the council's callback URL with
the bearer token the council set in Notify and in Townhall; Townhall keeps only
the token's SHA-256, so the token is found by its hash, and with it the
council. The row is found by the `reference` Townhall gave Notify (the row's
UUID), within that council only.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from townhall.notifications.models import Delivery, NotifySettings

# Receipts that mean sending again the same way cannot help.
PERMANENT_RECEIPTS = frozenset(
    {Delivery.Receipt.PERMANENT_FAILURE, Delivery.Receipt.VALIDATION_FAILED}
)


class ReceiptRefused(Exception):
    """The receipt cannot be used; the message says why (it goes back to Notify)."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def settings_for_token(token: str) -> NotifySettings | None:
    """The council whose callback bearer token this is, or None."""
    if len(token) < 10:
        return None
    return (
        NotifySettings.objects.select_related("organisation")
        .filter(callback_token_hash=token_hash(token))
        .first()
    )


def receipt_record(*, config: NotifySettings, receipt: Mapping[str, Any]) -> Delivery:
    """Record a delivery receipt from Notify on the council's outbox row it
    names. Raises ReceiptRefused for a receipt that is not Notify's shape, has
    a status Townhall does not know, or names no row of this council."""
    status = receipt.get("status")
    if status not in Delivery.Receipt.values:
        raise ReceiptRefused(f"unknown status {str(status)[:40]!r}")
    try:
        reference = uuid.UUID(str(receipt.get("reference")))
    except ValueError:
        raise ReceiptRefused("reference is not one Townhall sent (a UUID)") from None
    delivery = Delivery.objects.filter(
        organisation_id=config.organisation_id, reference=reference
    ).first()
    if delivery is None:
        raise ReceiptRefused("no message of this council has that reference")
    delivery.receipt = status
    delivery.receipt_at = timezone.now()
    delivery.permanent = delivery.permanent or status in PERMANENT_RECEIPTS
    fields = ["receipt", "receipt_at", "permanent"]
    if not delivery.provider_reference and receipt.get("id"):
        delivery.provider_reference = str(receipt["id"])[:200]
        fields.append("provider_reference")
    delivery.save(update_fields=fields)
    return delivery
