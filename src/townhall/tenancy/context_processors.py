from __future__ import annotations

from django.db import DatabaseError
from django.http import HttpRequest

from townhall.tenancy.selectors import current_site


def site(request: HttpRequest) -> dict[str, object]:
    try:
        found = current_site(request)
    except DatabaseError:
        found = None  # the error page for a database outage must still render
    return {"site": found, "site_name": found.name if found else "Townhall"}
