"""The endpoint GOV.UK Notify posts delivery receipts to (`receipts`)."""

from __future__ import annotations

import json

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from townhall.notifications.receipts import ReceiptRefused, receipt_record, settings_for_token


@csrf_exempt  # a machine's call, authenticated by its bearer token
@require_POST
def notify_receipt(request: HttpRequest) -> JsonResponse:
    """Record one delivery receipt: 200 when recorded, 401 without the
    council's bearer token, 400 with the reason for anything else."""
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    config = settings_for_token(token.strip()) if scheme.lower() == "bearer" else None
    if config is None:
        return JsonResponse({"error": "a council's callback bearer token is needed"}, status=401)
    try:
        receipt = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"error": "the body is not JSON"}, status=400)
    if not isinstance(receipt, dict):
        return JsonResponse({"error": "the body is not a JSON object"}, status=400)
    try:
        delivery = receipt_record(config=config, receipt=receipt)
    except ReceiptRefused as refusal:
        return JsonResponse({"error": str(refusal)}, status=400)
    return JsonResponse({"recorded": delivery.receipt})
