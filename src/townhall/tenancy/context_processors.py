from __future__ import annotations

from django.http import HttpRequest

from townhall.tenancy.selectors import current_site


def site(request: HttpRequest) -> dict[str, object]:
    found = current_site(request)
    return {"site": found, "site_name": found.name if found else "Townhall"}
