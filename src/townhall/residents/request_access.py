"""Who may use "My requests": anyone signed in, seeing only their own."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase
from django.urls import NoReverseMatch, reverse
from django.utils.cache import add_never_cache_headers

R = TypeVar("R", bound=HttpResponseBase)


def sign_in_url() -> str:
    """The residents' sign-in page once it exists (`account:sign_in`), else the
    installation's sign-in page."""
    try:
        return reverse("account:sign_in")
    except NoReverseMatch:
        return str(settings.LOGIN_URL)


def resident_required(view: Callable[..., R]) -> Callable[..., R | HttpResponseBase]:
    """Send anyone not signed in to sign in, and back here after. The pages
    show personal data, so they are never cached."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> R | HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), sign_in_url())
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return wrapped
