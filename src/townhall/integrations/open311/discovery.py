"""`discovery`: where this installation's Open311 endpoint is and what it speaks."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from townhall.integrations.open311.endpoint import endpoint
from townhall.integrations.open311.output import respond

CHANGESET = "2026-11-30T00:00:00Z"  # when this endpoint last changed in what it offers


@endpoint("GET", "HEAD")
def discovery(request: HttpRequest, *, fmt: str) -> HttpResponse:
    root = request.build_absolute_uri(reverse("open311:services", kwargs={"fmt": "json"}))
    base = root.rsplit("/", 1)[0] + "/"
    document = {
        "changeset": CHANGESET,
        "contact": "The council's own contact details",
        "key_service": "Ask the council for an API key (made by its managers in the back office)",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return respond(fmt, document, root="discovery", item="endpoint")
