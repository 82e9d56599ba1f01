"""Keep pages with personal data out of browser and proxy caches.

A page is private, and gets `Cache-Control: no-store` (with Django's other
never-cache headers), when it is:

- any page of the back office, the admin site or a resident's account
  (`/staff/`, `/admin/`, `/account/`),
  signed in or not, file downloads included;
- the answer to a form sent with POST (the tracking result, for example),
  which shows what was sent or what it found;
- any page drawn from a session that holds something: a resident's answers
  so far, their check answers and confirmation pages, a signed-in person.

Other pages (the service list to a new visitor, `/branding.css`) keep
whatever caching their view chose.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

PRIVATE_PATHS = ("/staff/", "/admin/", "/account/")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def is_private(request: HttpRequest) -> bool:
    if request.path.startswith(PRIVATE_PATHS) or request.method not in SAFE_METHODS:
        return True
    session = getattr(request, "session", None)
    # `accessed` is set when a view or template read the session; reading an
    # empty one made nothing on the page depend on it.
    return bool(session is not None and session.accessed and not session.is_empty())


class PrivatePagesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if is_private(request):
            add_never_cache_headers(response)
        return response
