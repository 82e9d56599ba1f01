"""A resident's list of sessions: each sign-in is listed, ending one signs
that browser out (with database sessions and with cache sessions, as with
REDIS_URL), and nobody can end another resident's session."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.conf import settings
from django.test import Client

from townhall.residents.identity import resident_for_verified_email
from townhall.residents.models import ResidentSession
from townhall.residents.tests.conftest import PASSWORD, signed_in_as

pytestmark = pytest.mark.django_db


def _signed_in_browser(email="ann@example.org", agent="Mozilla/5.0 (X11; Linux) Firefox/130.0"):
    browser = Client(HTTP_USER_AGENT=agent)
    browser.post("/account/sign-in/", {"username": email, "password": PASSWORD})
    return browser


def _exists(session_key: str) -> bool:
    return import_module(settings.SESSION_ENGINE).SessionStore().exists(session_key)


def test_each_sign_in_is_listed(resident):
    first = _signed_in_browser()
    _signed_in_browser(agent="Mozilla/5.0 (iPhone) Safari/605")

    page = first.get("/account/sessions/").content.decode()

    assert "Firefox on Linux" in page
    assert "Safari on iOS" in page
    assert "This device" in page
    assert ResidentSession.objects.filter(user=resident).count() == 2


@pytest.mark.parametrize("engine", ["townhall.core.sessions", "cache"])
def test_ending_a_session_signs_that_browser_out(resident, settings, engine):
    if engine == "cache":
        settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    here = _signed_in_browser()
    there = _signed_in_browser()
    record = ResidentSession.objects.get(session_key=there.session.session_key)
    assert _exists(record.session_key)

    response = here.post(f"/account/sessions/{record.pk}/end/")

    assert response["Location"] == "/account/sessions/"
    assert not _exists(record.session_key)
    assert there.get("/account/")["Location"].startswith("/account/sign-in/")
    assert signed_in_as(here) == resident.pk


def test_another_residents_session_cannot_be_ended_by_its_id(resident):
    other = resident_for_verified_email("bob@example.org")
    other.set_password(PASSWORD)
    other.save()
    bob = _signed_in_browser("bob@example.org")
    ann = _signed_in_browser()
    bobs = ResidentSession.objects.get(user=other)

    assert ann.post(f"/account/sessions/{bobs.pk}/end/").status_code == 404
    assert _exists(bobs.session_key)
    assert signed_in_as(bob) == other.pk
    assert "bob@example.org" not in ann.get("/account/sessions/").content.decode()


def test_ending_needs_a_post_and_a_signed_in_resident(client, resident):
    browser = _signed_in_browser()
    record = ResidentSession.objects.get()
    assert browser.get(f"/account/sessions/{record.pk}/end/").status_code == 405
    anonymous = client.post(f"/account/sessions/{record.pk}/end/")
    assert anonymous["Location"].startswith("/account/sign-in/")
    assert ResidentSession.objects.exists()


def test_ending_this_session_signs_out(resident):
    browser = _signed_in_browser()
    record = ResidentSession.objects.get()
    browser.post(f"/account/sessions/{record.pk}/end/")
    assert signed_in_as(browser) is None
    assert not ResidentSession.objects.exists()


def test_the_list_follows_the_session_when_its_key_changes(resident):
    browser = _signed_in_browser()
    record = ResidentSession.objects.get()
    session = browser.session
    session.cycle_key()  # as the front door does after a submission
    session.save()
    browser.cookies[settings.SESSION_COOKIE_NAME] = session.session_key

    browser.get("/account/")

    record.refresh_from_db()
    assert record.session_key == session.session_key
    assert browser.post(f"/account/sessions/{record.pk}/end/")["Location"] == "/account/sign-in/"


def _queries_for_list(browser) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert browser.get("/account/sessions/").status_code == 200
    return len(captured)


def test_the_list_costs_the_same_however_many_sessions(resident):
    browser = _signed_in_browser()
    one = _queries_for_list(browser)
    for _ in range(4):
        _signed_in_browser()

    assert _queries_for_list(browser) == one
