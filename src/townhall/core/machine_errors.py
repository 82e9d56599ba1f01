"""Error answers for machine front ends (the APIs). A front end whose clients
read error documents, not pages, registers how to write one for the URLs it
serves; Django's error handlers (and the checks that run before any view,
such as the refusal of a NUL) then answer those URLs with it."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

ErrorWriter = Callable[[HttpRequest, int], HttpResponse]

_writers: dict[str, ErrorWriter] = {}


def machine_errors_register(*, prefix: str, writer: ErrorWriter) -> None:
    """Answer errors under the path `prefix` (like "/open311/") with `writer(request, status)`."""
    _writers[prefix] = writer


def machine_error(request: HttpRequest, status: int) -> HttpResponse | None:
    """The registered error document for the request's path, or None for a page."""
    path = request.path
    for prefix, writer in _writers.items():
        if path.startswith(prefix):
            return writer(request, status)
    return None
