"""`Idempotency-Key` on the API's POSTs (the rules are in `integrations.idempotency`)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Status

from townhall.integrations.api.errors import ApiError
from townhall.integrations.idempotency import (
    IdempotencyKeyInvalid,
    IdempotencyKeyReused,
    Outcome,
    fingerprint,
    idempotent_run,
)
from townhall.integrations.models import ApiKey

HEADER = "Idempotency-Key"


def run_once(
    request: HttpRequest,
    response: HttpResponse,
    *,
    api_key: ApiKey,
    operation: Callable[[], Outcome],
    body: bytes | None = None,
) -> Status:
    """Run `operation`, once per `Idempotency-Key` when the request has one.
    A repeat gets the first answer with `Idempotent-Replayed: true`. `body`
    stands for the request's body where that cannot be read again (a
    multipart form, once its files are read)."""
    key = request.headers.get(HEADER)
    if key is None:
        outcome = operation()
    else:
        try:
            outcome = idempotent_run(
                api_key=api_key,
                key=key,
                request_fingerprint=fingerprint(
                    method=request.method or "",
                    path=request.path,
                    body=request.body if body is None else body,
                ),
                operation=operation,
            )
        except IdempotencyKeyInvalid as error:
            raise ApiError(
                400,
                "invalid_idempotency_key",
                _("An Idempotency-Key is 1 to 255 printable ASCII characters, such as a UUID."),
                HEADER,
            ) from error
        except IdempotencyKeyReused as error:
            raise ApiError(
                422,
                "idempotency_key_reused",
                _(
                    "This Idempotency-Key was already used for a different request. "
                    "Use a new key for each new request."
                ),
                HEADER,
            ) from error
        if outcome.replayed:
            response["Idempotent-Replayed"] = "true"
    return Status(outcome.status_code, outcome.body)
