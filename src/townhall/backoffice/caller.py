"""Find the caller first: what the adviser's pages (log a contact, record a
contact through a service) show when they search for the resident."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from townhall.backoffice.access import can
from townhall.cases import selectors
from townhall.catalogue.engine.validation import CONTROL_CHARACTERS
from townhall.tenancy.permissions import Permission


def caller_context(request: HttpRequest) -> dict[str, Any]:
    typed = CONTROL_CHARACTERS.sub("", request.GET.get("caller", "")).strip()[:100]
    search, cases, contacts = selectors.caller_history(
        organisation=request.organisation,  # type: ignore[attr-defined]
        typed=typed,
    )
    return {
        "caller": typed,
        "caller_search": search,
        "caller_cases": cases,
        "caller_contacts": contacts,
        "can_view_cases": can(request, Permission.VIEW_CASES),
    }
