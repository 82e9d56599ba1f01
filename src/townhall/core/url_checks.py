"""Refuse a NUL character in a request's path or query string, before any view.

No page of Townhall has a use for one, PostgreSQL cannot store or compare one
(a query with it fails, which would be a 500), and a NUL in a parameter most
often means someone is probing. Other control characters are left to the
pages, whose parsers refuse them (a case reference with one is simply not a
reference)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from townhall.core.views import bad_request

# Paths that answer in JSON: the REST API's error shape (docs/api.md), not a page.
JSON_PATHS = ("/api/",)


def has_nul(request: HttpRequest) -> bool:
    """Whether the path or the query string, once decoded, holds a NUL."""
    return "\x00" in request.path or b"\x00" in unquote_to_bytes(
        request.META.get("QUERY_STRING", "")
    )


class RefuseNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if has_nul(request):
            if request.path.startswith(JSON_PATHS):
                message = _("The address cannot contain NUL characters.")
                problem = {"code": "bad_request", "message": message, "path": None}
                return JsonResponse({"errors": [problem]}, status=400)
            return bad_request(request)
        return self.get_response(request)
