"""Townhall's URLs plus the baselines the HTTP benchmarks compare with: a view
that does nothing and a view that does one INSERT, served the same way."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from bench.urls import bare
from townhall.urls import handler400, handler403, handler404, handler500

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]

INSERT_TABLE = "bench_one_insert"


@csrf_exempt
def one_insert(request: HttpRequest) -> HttpResponse:
    """Read the form, write one row, answer: the least a creation can cost."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {INSERT_TABLE} (created_at, body) VALUES (%s, %s)",  # noqa: S608
            [timezone.now(), request.POST.get("description", "")],
        )
    return HttpResponse("ok", status=201)


urlpatterns = [
    path("bench/bare/", bare, name="bench-bare"),
    path("bench/insert/", one_insert, name="bench-insert"),
    path("", include("townhall.urls")),
]
