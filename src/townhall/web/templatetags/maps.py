"""`{% map_settings as map %}`: what a map needs to know (its tiles, where the
boundaries and the postcode search are), for the data attributes the map
script reads."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.urls import reverse

register = template.Library()


@register.simple_tag
def map_settings() -> dict[str, Any]:
    return {
        "tiles_url": settings.MAP_TILES_URL,
        "tiles_attribution": settings.MAP_TILES_ATTRIBUTION,
        "boundaries_url": reverse("web:boundaries"),
        "postcode_url": reverse("web:postcode-find"),
    }
