from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class RequestSizeLimitMiddleware:
    """Refuse a request body larger than TOWNHALL_MAX_REQUEST_BYTES before it is
    read, with a page that says so, rather than spooling it to disk. Each file
    question's own, smaller limit is checked by the form engine."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.TOWNHALL_MAX_REQUEST_BYTES
        if length > limit:
            return render(
                request,
                "errors/413.html",
                {"limit_mb": limit // (1024 * 1024)},
                status=413,
            )
        return self.get_response(request)
