"""What every Open311 endpoint shares: the format in its URL, the methods it
answers, and errors written as the specification gives them."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from townhall.integrations.open311.output import FORMATS, Open311Error, error_response

View = Callable[..., HttpResponse]


def endpoint(*methods: str) -> Callable[[View], View]:
    """An Open311 view answering `methods` in the format its URL ends with
    (`fmt`); an Open311Error it raises becomes the error document. Clients
    authenticate with `api_key`, never a cookie, so no CSRF token is needed."""

    def decorate(view: View) -> View:
        @csrf_exempt
        @functools.wraps(view)
        def wrapped(
            request: HttpRequest, *args: object, fmt: str, **kwargs: object
        ) -> HttpResponse:
            if fmt not in FORMATS:
                return error_response("json", Open311Error(404, (404, "Use .json or .xml")))
            if request.method not in methods:
                allowed = ", ".join(methods)
                error = Open311Error(405, (405, f"Use {allowed} for this endpoint"))
                response = error_response(fmt, error)
                response["Allow"] = allowed
                return response
            try:
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as error:
                return error_response(fmt, error)

        return wrapped

    return decorate


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Anything else under /open311/: a 404 error document (XML if asked for)."""
    fmt = "xml" if rest.endswith(".xml") else "json"
    return error_response(fmt, Open311Error(404, (404, "There is no such Open311 endpoint")))


_WORDS = {
    400: "The request cannot be read",
    403: "Forbidden",
    404: "There is no such Open311 endpoint",
    413: "The request is too large",
    500: "Something went wrong: try again later",
    503: "The service is unavailable for a moment: try again soon",
}


def error_for_status(request: HttpRequest, status: int) -> HttpResponse:
    """The error document for an error Django raised before or around a view."""
    fmt = "xml" if request.path.endswith(".xml") else "json"
    response = error_response(fmt, Open311Error(status, (status, _WORDS.get(status, "Error"))))
    if status == 503:
        response["Retry-After"] = "30"
    return response
