"""Process health, branding and the error pages (including a refused form
post and a sign-in lockout)."""

from __future__ import annotations

import logging
import math
import sys
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.encoding import escape_uri_path
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET
from django_tasks_db.models import DBTaskResult

from townhall.accounts.sign_in_limits import locked_until
from townhall.core.db import connections_drop_broken, database_unavailable
from townhall.core.machine_errors import machine_error
from townhall.tenancy.selectors import site_organisations

logger = logging.getLogger(__name__)
DEFAULT_BRAND = "#1d70b8"
# What a 503 tells clients: a restart or failover is usually over within this.
RETRY_AFTER_SECONDS = 30


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """The process is up. Touches nothing else, so a database outage does not
    get web processes restarted."""
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    """The database and the task queue answer: ready for traffic."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as error:
        logger.warning("readyz: database unavailable: %s", type(error).__name__)
        checks["database"] = "unavailable"
    try:
        DBTaskResult.objects.exists()
        checks["task_queue"] = "ok"
    except Exception as error:
        logger.warning("readyz: task queue unavailable: %s", type(error).__name__)
        checks["task_queue"] = "unavailable"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", **checks}, status=200 if ready else 503
    )


@require_GET
@cache_control(max_age=300, public=True)
def branding_css(request: HttpRequest) -> HttpResponse:
    """The site's council colours, as CSS custom properties (no inline styles)."""
    organisations = site_organisations(request)
    colour = organisations[0].brand_colour if organisations else DEFAULT_BRAND
    css = f":root{{--th-brand-colour:{colour};--govuk-brand-colour:{colour};}}\n"
    return HttpResponse(css, content_type="text/css; charset=utf-8")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if (machine := machine_error(request, 400)) is not None:
        return machine
    return render(request, "errors/400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if (machine := machine_error(request, 403)) is not None:
        return machine
    return render(request, "errors/403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if (machine := machine_error(request, 404)) is not None:
        return machine
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """The council's error page. Django calls it while handling the error, so
    the error can be told: when the database was out of reach (a restart, a
    failover, a lost connection), nothing was half-written and trying again
    soon can work, so the answer is 503 with a page that says so. A connection
    the error left broken is dropped first, so the page and the rest of the
    request use a new one."""
    if database_unavailable(sys.exc_info()[1]):
        connections_drop_broken()
        response = machine_error(request, 503) or render(request, "errors/503.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        add_never_cache_headers(response)
        return response
    return machine_error(request, 500) or render(request, "errors/500.html", status=500)


def _page_to_return_to(request: HttpRequest) -> str:
    """The page a form was sent from, if it is on this site (the browser says,
    in Referer), else the page it was sent to; never another site."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        return urlunsplit(("", "", parts.path or "/", parts.query, ""))
    path = escape_uri_path(request.path)
    return path if url_has_allowed_host_and_scheme(path, allowed_hosts=None) else "/"


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form post refused by the CSRF check (CSRF_FAILURE_VIEW): most often a
    page left open past its session, or cookies turned off. Django has logged
    the reason; the person gets the council's page and a way back."""
    return render(request, "errors/csrf.html", {"back": _page_to_return_to(request)}, status=403)


def sign_in_locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The page for a sign-in refused by the limits on failed sign-ins
    (AXES_LOCKOUT_CALLABLE), saying when to try again."""
    until = locked_until(request, credentials)
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    response = render(
        request,
        "errors/sign_in_locked.html",
        {"until": until, "minutes": math.ceil(seconds / 60), "back": _page_to_return_to(request)},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response
