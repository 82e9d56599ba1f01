"""The browsers a resident is signed in on, which they can see and end (see
docs/decisions/0053). A row is written at sign-in with the session's key;
ending it deletes that session from whichever session store is configured
(the database, or the cache when REDIS_URL is set), so that browser is
signed out on its next request."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from townhall.accounts.models import User
from townhall.accounts.sign_ins import browser_family, client_network
from townhall.residents.models import ResidentSession

# The session's own note of its row and the key the row holds.
RECORD = "townhall_resident_session"


def _store(session_key: str | None = None) -> SessionBase:
    engine = import_module(settings.SESSION_ENGINE)
    store: SessionBase = engine.SessionStore(session_key=session_key)
    return store


def session_record(request: HttpRequest, user: User) -> ResidentSession:
    """Record the session `user` has just signed in with."""
    if request.session.session_key is None:
        request.session.save()
    key = str(request.session.session_key)
    record, _created = ResidentSession.objects.update_or_create(
        session_key=key,
        defaults={
            "user": user,
            "browser": browser_family(str(request.META.get("HTTP_USER_AGENT", ""))[:1000])[:60],
            "client_network": client_network(request.META.get("REMOTE_ADDR")),
        },
    )
    request.session[RECORD] = {"id": record.pk, "key": key}
    return record


def _oldest_live() -> timedelta:
    # No signed-in session outlives STAFF_SESSION_MAX_HOURS (accounts.sessions).
    return timedelta(hours=settings.STAFF_SESSION_MAX_HOURS)


def sessions_for(user: User) -> list[ResidentSession]:
    """`user`'s sessions that may still be live, newest first; rows of
    sessions that have certainly ended are removed."""
    cutoff = timezone.now() - _oldest_live()
    ResidentSession.objects.filter(user=user, signed_in_at__lt=cutoff).delete()
    return list(ResidentSession.objects.filter(user=user).order_by("-signed_in_at"))


def session_end(*, user: User, record_id: int) -> bool:
    """End one of `user`'s sessions; False if they have no such session (it
    ended already, or it is someone else's)."""
    record = ResidentSession.objects.filter(user=user, pk=record_id).first()
    if record is None:
        return False
    _store(record.session_key).delete(record.session_key)
    record.delete()
    return True


def session_forget(request: HttpRequest) -> None:
    """Drop the row of the session `request` is signing out of."""
    record_id = current_record_id(request)
    if record_id is not None:
        ResidentSession.objects.filter(pk=record_id).delete()


def current_record_id(request: HttpRequest) -> int | None:
    """The id of the row of the session `request` is on, if it has one."""
    noted = request.session.get(RECORD)
    record_id = noted.get("id") if isinstance(noted, dict) else None
    return record_id if isinstance(record_id, int) else None


class SessionRecordMiddleware:
    """Keeps a resident's session row pointing at their session when its key
    changes (Django changes it after a second step, the front door after a
    submission). Costs nothing unless the key has changed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return response
        noted = session.get(RECORD) if SESSION_KEY in session else None
        if not isinstance(noted, dict) or not isinstance(noted.get("id"), int):
            return response
        if session.session_key not in (None, noted.get("key")):
            key = str(session.session_key)
            ResidentSession.objects.filter(pk=noted["id"]).update(session_key=key)
            session[RECORD] = {"id": noted["id"], "key": key}
        return response
