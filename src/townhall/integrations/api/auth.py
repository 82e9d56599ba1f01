"""Who is calling: an API key, sent as `Authorization: Bearer <key>` or in
`X-Api-Key`, counted against the key's rate limit, and what its scope lets
it do. Everything an endpoint reads or writes is its key's council's."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import APIKeyHeader, HttpBearer

from townhall.core.models import Throttle
from townhall.integrations.api.errors import ApiError
from townhall.integrations.keys import api_key_authenticate, api_key_rate_allows, scope_allows
from townhall.integrations.models import ApiKey
from townhall.tenancy.models import Organisation

RATE_WINDOW = timedelta(minutes=1)  # as `keys.api_key_rate_allows` counts


def _checked(key: str) -> ApiKey | None:
    api_key = api_key_authenticate(key)
    if api_key is None:
        return None
    if not api_key_rate_allows(api_key):
        wait = _seconds_until_allowed(api_key)
        raise ApiError(
            429,
            "rate_limited",
            _("This key has made too many requests. Try again in %(seconds)s seconds.")
            % {"seconds": wait},
            headers={"Retry-After": str(wait)},
        )
    return api_key


def _seconds_until_allowed(api_key: ApiKey) -> int:
    started = (
        Throttle.objects.filter(key=f"api-key:{api_key.pk}")
        .values_list("window_started_at", flat=True)
        .first()
    )
    if started is None:
        return 1
    remaining = (started + RATE_WINDOW - timezone.now()).total_seconds()
    return max(1, math.ceil(remaining))


class BearerKey(HttpBearer):
    """`Authorization: Bearer th_…`"""

    def __call__(self, request: HttpRequest) -> Any:
        # Ninja's own version logs a header it does not understand, key and all.
        scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        return _checked(token)


class HeaderKey(APIKeyHeader):
    """`X-Api-Key: th_…`"""

    param_name = "X-Api-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiKey | None:
        return _checked(key) if key else None


API_AUTH = [BearerKey(), HeaderKey()]


def caller(request: HttpRequest, scope: str = ApiKey.Scope.READ) -> ApiKey:
    """The key that made `request`, if its scope allows `scope` (403 if not)."""
    api_key: ApiKey = request.auth  # type: ignore[attr-defined]
    if not scope_allows(api_key.scope, scope):
        raise ApiError(
            403,
            "forbidden",
            _("This key's scope (%(granted)s) does not allow this: it needs %(needed)s.")
            % {"granted": api_key.scope, "needed": scope},
        )
    return api_key


def council(request: HttpRequest, scope: str = ApiKey.Scope.READ) -> Organisation:
    """The council whose data `request` may see, after the scope check."""
    return caller(request, scope).organisation
