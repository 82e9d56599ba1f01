"""Townhall's database sessions (core/sessions.py) behave as Django's, with
fewer queries: a resident keeps their answers, and a submission still gives
them a new session key."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from townhall.core.sessions import SessionStore
from townhall.web.tests.test_journey import START, answer_all


def test_a_new_session_is_written_in_one_insert(db):
    store = SessionStore()
    store["greeting"] = "hello"
    with CaptureQueriesContext(connection) as context:
        store.save()
    statements = [q["sql"].split()[0] for q in context.captured_queries]
    assert statements.count("INSERT") == 1
    assert "SELECT" not in statements  # no look-up of the new key first
    assert SessionStore(store.session_key)["greeting"] == "hello"


def test_cycling_the_key_writes_the_data_once_and_removes_the_old_row(db):
    store = SessionStore()
    store["answers"] = {"a": 1}
    store.save()
    old = store.session_key
    store.cycle_key()
    with CaptureQueriesContext(connection) as context:
        store.save()  # what the middleware does at the end of the request
    assert context.captured_queries == []
    assert not Session.objects.filter(session_key=old).exists()
    assert SessionStore(store.session_key)["answers"] == {"a": 1}
    store["more"] = True  # a change after the new key is still saved
    store.save()
    assert SessionStore(store.session_key)["more"] is True


def test_a_submission_still_changes_the_resident_session_key(
    client, fly_tipping, django_capture_on_commit_callbacks
):
    answer_all(client)
    before = client.cookies["sessionid"].value
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{START}check/")["Location"] == f"{START}done/"
    after = client.cookies["sessionid"].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert "Fly-tipping reported" in client.get(f"{START}done/").content.decode()
