"""One shape for every error the REST API gives: a list of problems, each
with a code a program can act on, a message a person can read and, where the
problem is in one field, that field's path (`answers.email`, `limit`,
`Idempotency-Key`)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

if TYPE_CHECKING:
    from ninja import NinjaAPI


class Problem(Schema):
    code: str
    message: str
    path: str | None = None


class ErrorOut(Schema):
    errors: list[Problem]


class ApiError(Exception):
    """Raised by an endpoint to answer with `status` and these problems."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        path: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.problems = [Problem(code=code, message=message, path=path)]
        self.headers = dict(headers or {})

    @classmethod
    def many(cls, status: int, problems: Iterable[Problem]) -> ApiError:
        error = cls(status, "invalid", "")
        error.problems = list(problems)
        return error


def not_found(message: str) -> ApiError:
    """404: the key's council has no such thing (whether or not another council has)."""
    return ApiError(404, "not_found", message)


# Every operation lists these, so clients and the schema know what can come back.
COMMON_ERRORS: dict[int, type[ErrorOut]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}


def _path(location: Iterable[Any]) -> str | None:
    """Pydantic's location of a problem as a dotted path, without the part of
    the request it was in (`body`, `query`) or ninja's name for the body."""
    parts = [str(part) for part in location]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:]
        if parts and parts[0] == "payload":
            parts = parts[1:]
    return ".".join(parts) or None


def _response(
    api: NinjaAPI, request: HttpRequest, status: int, problems: list[Problem]
) -> HttpResponse:
    body = ErrorOut(errors=problems).model_dump()
    return api.create_response(request, body, status=status)


def install_error_handlers(api: NinjaAPI) -> None:
    """Answer every failure in the one shape; a bad request never becomes a 500."""

    def api_error(request: HttpRequest, exc: Any) -> HttpResponse:
        response = _response(api, request, exc.status, exc.problems)
        for name, value in exc.headers.items():
            response[name] = value
        return response

    def validation_error(request: HttpRequest, exc: Any) -> HttpResponse:
        problems = [
            Problem(
                code=str(error.get("type", "invalid")),
                message=str(error.get("msg", _("This value is not valid."))),
                path=_path(error.get("loc", ())),
            )
            for error in exc.errors
        ]
        return _response(api, request, 422, problems)

    def authentication_error(request: HttpRequest, exc: Any) -> HttpResponse:
        message = _(
            "Send a valid API key, as “Authorization: Bearer <key>” or in the X-Api-Key header."
        )
        response = _response(api, request, 401, [Problem(code="unauthorized", message=message)])
        response["WWW-Authenticate"] = 'Bearer realm="townhall"'
        return response

    def http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        code = "bad_request" if exc.status_code == 400 else "error"
        return _response(api, request, exc.status_code, [Problem(code=code, message=str(exc))])

    def page_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        message = _("There is nothing at this address.")
        return _response(api, request, 404, [Problem(code="not_found", message=message)])

    api.add_exception_handler(ApiError, api_error)
    api.add_exception_handler(ValidationError, validation_error)
    api.add_exception_handler(AuthenticationError, authentication_error)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Http404, page_not_found)


# What a client is told when Django answers before the API does (a body too
# large, the server too busy, an error in the middleware): the same shape.
_STATUS_PROBLEMS: dict[int, tuple[str, Any]] = {
    400: ("bad_request", gettext_lazy("The request could not be read.")),
    403: ("forbidden", gettext_lazy("This request is not allowed.")),
    404: ("not_found", gettext_lazy("There is nothing at this address.")),
    413: ("too_large", gettext_lazy("The request is too large.")),
    500: ("error", gettext_lazy("Something went wrong on our side. Try again later.")),
    503: (
        "busy",
        gettext_lazy("The service is busy. Try again after the seconds given in Retry-After."),
    ),
}


def error_for_status(request: HttpRequest, status: int) -> HttpResponse:
    """The REST API's error document for an error raised before or around its views."""
    code, message = _STATUS_PROBLEMS.get(status, ("error", gettext_lazy("The request failed.")))
    body = ErrorOut(errors=[Problem(code=code, message=str(message))]).model_dump()
    return HttpResponse(json.dumps(body), status=status, content_type="application/json")
