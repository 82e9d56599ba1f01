from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest
from django.utils import translation

from townhall.tenancy.models import Site
from townhall.tenancy.selectors import current_site


def _site(request: HttpRequest) -> Site | None:
    try:
        return current_site(request)
    except DatabaseError:
        return None  # the error page for a database outage must still render


def site(request: HttpRequest) -> dict[str, object]:
    found = _site(request)
    site_name = found.name if found else "Townhall"

    def council_name() -> str:
        """The council staff pages are for: the member of staff's, else the
        site's only council, else the site's name. Asked only when shown."""
        organisation = getattr(request, "organisation", None)
        if organisation is not None:
            return str(organisation.name)
        if found is not None:
            try:
                councils = list(found.organisations.all()[:2])
            except DatabaseError:
                councils = []
            if len(councils) == 1:
                return str(councils[0].name)
        return site_name

    return {"site": found, "site_name": site_name, "council_name": council_name}


def languages(request: HttpRequest) -> dict[str, object]:
    """The languages the switcher offers (`includes/language_navigation.html`):
    those of the current site, shown when there are at least two. English and
    the language the page is in are always among them, so a resident whose
    browser chose a language the site does not offer can get back to English."""
    found = _site(request)
    offered = found.languages if found and isinstance(found.languages, list) else []
    always = {settings.LANGUAGE_CODE, translation.get_language()}
    codes = [code for code, _name in settings.LANGUAGES if code in offered or code in always]
    choices: list[dict[str, Any]] = (
        [translation.get_language_info(code) for code in codes] if len(codes) > 1 else []
    )
    return {"language_choices": choices}
