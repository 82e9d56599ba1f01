"""Open311 GeoReport v2 under /open311/v2/, each endpoint in .json or .xml."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import re_path

from townhall.integrations.open311 import (
    discovery,
    endpoint,
    request_create,
    service_requests,
    service_types,
    updates,
)
from townhall.integrations.open311.endpoint import View

app_name = "open311"


def _requests(request: HttpRequest, *, fmt: str) -> HttpResponse:
    """GET lists requests; POST makes one."""
    view: View = (
        request_create.request_create if request.method == "POST" else service_requests.request_list
    )
    return view(request, fmt=fmt)


def _updates(request: HttpRequest, *, fmt: str) -> HttpResponse:
    view: View = updates.update_create if request.method == "POST" else updates.update_list
    return view(request, fmt=fmt)


_requests.csrf_exempt = True  # type: ignore[attr-defined]
_updates.csrf_exempt = True  # type: ignore[attr-defined]

FMT = r"\.(?P<fmt>[A-Za-z]{1,10})"
CODE = r"(?P<code>[^/]{1,200})"

urlpatterns = [
    re_path(rf"^discovery{FMT}$", discovery.discovery, name="discovery-root"),
    re_path(rf"^v2/discovery{FMT}$", discovery.discovery, name="discovery"),
    re_path(rf"^v2/services{FMT}$", service_types.service_list, name="services"),
    re_path(rf"^v2/services/{CODE}{FMT}$", service_types.service_definition, name="service"),
    re_path(
        rf"^v2/service/{CODE}{FMT}$", service_types.service_definition, name="service-singular"
    ),
    re_path(rf"^v2/requests{FMT}$", _requests, name="requests"),
    re_path(
        rf"^v2/requests/(?P<reference>[^/]{{1,100}}){FMT}$",
        service_requests.request_detail,
        name="request",
    ),
    re_path(
        rf"^v2/tokens/(?P<token>[^/]{{1,300}}){FMT}$", request_create.token_detail, name="token"
    ),
    re_path(rf"^v2/servicerequestupdates{FMT}$", _updates, name="updates"),
    re_path(r"^(?P<rest>.*)$", endpoint.not_found, name="not-found"),
]
