"""`{% oidc_sign_in_button next %}`: the button that signs a resident in with
the deployment's OpenID Connect provider, or nothing when none is configured.
The sign-in page includes it; it needs no JavaScript (a link to a GET)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse

from townhall.residents import oidc

register = template.Library()


@register.inclusion_tag("residents/oidc/_button.html")
def oidc_sign_in_button(next_url: str = "") -> dict[str, Any]:
    if not oidc.is_configured():
        return {"oidc_start_url": ""}
    start = reverse("oidc:start")
    if next_url:
        start = f"{start}?{urlencode({'next': next_url})}"
    return {"oidc_start_url": start, "oidc_label": oidc.button_label()}
