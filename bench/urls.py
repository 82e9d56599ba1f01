"""Townhall's URLs plus two trivial views: the baselines every figure is compared
with (a bare view, and a bare view that inserts one row)."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from bench.creation_floor import creation_floor
from townhall.core.models import Throttle
from townhall.urls import handler400, handler403, handler404, handler500

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def bare(request: HttpRequest) -> HttpResponse:
    """No database, no template: the cost of Django and the middleware alone."""
    return HttpResponse("ok")


@csrf_exempt
def insert(request: HttpRequest) -> HttpResponse:
    """One INSERT and nothing else: the floor for a request that writes a row.
    (A throttle row, because every Townhall database has the table.) A POST
    answers 201 (the API benchmarks); the load test's plain loop GETs it."""
    if request.method not in {"GET", "POST"}:
        return HttpResponseNotAllowed(["GET", "POST"])
    Throttle.objects.create(key=f"bench:{uuid.uuid4().hex}", window_started_at=timezone.now())
    return HttpResponse("ok", status=201 if request.method == "POST" else 200)


urlpatterns = [
    path("bench/bare/", bare, name="bench-bare"),
    path("bench/insert/", insert, name="bench-insert"),
    path("bench/creation-floor/", creation_floor, name="bench-creation-floor"),
    path("", include("townhall.urls")),
]
