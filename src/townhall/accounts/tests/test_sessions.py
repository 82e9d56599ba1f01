"""Signed-in sessions end after STAFF_SESSION_IDLE_MINUTES without a request
and STAFF_SESSION_MAX_HOURS after signing in."""

from __future__ import annotations

import time

from townhall.accounts.sessions import SEEN, STARTED
from townhall.testing.sign_in import sign_in


def _age(client, *, started: int, seen: int) -> None:
    session = client.session
    now = int(time.time())
    session[STARTED] = now - started
    session[SEEN] = now - seen
    session.save()


def test_a_session_in_use_goes_on(client, staff_user):
    sign_in(client, staff_user)
    _age(client, started=3 * 3600, seen=29 * 60)
    assert client.get("/staff/").status_code == 200
    assert int(time.time()) - client.session[SEEN] < 5  # the idle clock moved on


def test_an_idle_session_ends_and_the_sign_in_page_says_why(client, staff_user, settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 30
    sign_in(client, staff_user)
    _age(client, started=40 * 60, seen=31 * 60)
    response = client.get("/staff/")
    assert response["Location"].startswith("/staff/login/")
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out because your session ended" in page
    assert "_auth_user_id" not in client.session
    # Said once.
    assert "session ended" not in client.get("/staff/login/").content.decode()


def test_a_session_ends_at_its_lifetime_however_busy(client, staff_user, settings):
    settings.STAFF_SESSION_MAX_HOURS = 8
    sign_in(client, staff_user)
    _age(client, started=8 * 3600 + 1, seen=10)
    assert client.get("/staff/")["Location"].startswith("/staff/login/")


def test_residents_without_a_session_are_not_touched(client, fly_tipping):
    response = client.get("/services/")
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
