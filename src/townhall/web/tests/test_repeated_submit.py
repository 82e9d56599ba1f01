"""A double click, a replayed form or many identical submits of check answers
end on the confirmation of one case, with its reference, whatever session
cookie they carry: the first submit changes the session's key, so the others
carry the old one."""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from townhall.accounts.models import User
from townhall.cases.models import Case, Draft
from townhall.tenancy.factories import MembershipFactory
from townhall.testing.sign_in import sign_in
from townhall.web import journey as session
from townhall.web.tests.test_journey import START, answer_all


def seen_yesterday() -> dict[str, str]:
    """The fly-tipping date boxes filled in with yesterday (within its date rules)."""
    day = timezone.localdate() - dt.timedelta(days=1)
    return {
        "seen_on-day": str(day.day),
        "seen_on-month": str(day.month),
        "seen_on-year": str(day.year),
    }


CHECK = f"{START}check/"
DONE = f"{START}done/"
STAFF_START = "/staff/assisted/report-fly-tipping/"
TOKEN = re.compile(r'name="draft_token" value="([^"]+)"')
REFERENCE = re.compile(r'class="th-reference">([^<]+)<')


def _colleague(service) -> User:
    """Another member of staff of the service's council."""
    membership = MembershipFactory.create(organisation=service.organisation)
    return membership.user


def staff_answer(client: Client) -> None:
    for name, data in [
        ("what", {"waste_type": "tyres"}),
        ("how-much", {"size": "single"}),
        ("where", {"location": "Layby on the A40"}),
        ("when", seen_yesterday()),
        ("details", {"description": ""}),
        ("photo", {}),
        ("contact", {"email": ""}),
    ]:
        response = client.post(f"{STAFF_START}questions/{name}/", data)
        assert response.status_code == 302, (name, response.content.decode()[:1500])


def _token(client: Client, check_url: str = CHECK) -> str:
    match = TOKEN.search(client.get(check_url).content.decode())
    assert match, "check answers carries the draft's token"
    return match.group(1)


def _cookie(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _with_cookie(value: str) -> Client:
    other = Client()
    other.cookies[settings.SESSION_COOKIE_NAME] = value
    return other


def _reference_shown(client: Client, done_url: str = DONE) -> str:
    match = REFERENCE.search(client.get(done_url).content.decode())
    assert match, "the confirmation shows a reference"
    return match.group(1)


def test_a_replayed_submit_with_the_old_session_cookie_shows_the_same_reference(
    client, fly_tipping, django_capture_on_commit_callbacks
):
    answer_all(client)
    token = _token(client)
    old = _cookie(client)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(CHECK, {"draft_token": token})
        replay = _with_cookie(old)
        again = replay.post(CHECK, {"draft_token": token})
    assert first["Location"] == again["Location"] == DONE
    case = Case.objects.get()
    assert _reference_shown(client) == _reference_shown(replay) == case.reference
    assert len(mail.outbox) == 1
    # The session key still changes on submitting (no session fixation), and
    # the replay gets a new key too, never the old one back.
    assert old not in {_cookie(client), _cookie(replay)}
    assert not Session.objects.filter(session_key=old).exists()


def test_a_replay_that_names_no_sent_draft_starts_again_and_sends_nothing(
    client, fly_tipping, django_capture_on_commit_callbacks
):
    answer_all(client)
    token = _token(client)
    old = _cookie(client)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(CHECK, {"draft_token": token})
    for sent in ({}, {"draft_token": token[:-2] + "xx"}, {"draft_token": "\x00"}):
        response = _with_cookie(old).post(CHECK, sent)
        assert response["Location"] == START, sent
    assert Case.objects.count() == 1


def test_a_token_older_than_a_session_names_nothing(
    client, fly_tipping, settings, django_capture_on_commit_callbacks
):
    answer_all(client)
    token = _token(client)
    old = _cookie(client)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(CHECK, {"draft_token": token})
    settings.SESSION_COOKIE_AGE = -1  # every token is now older than a session may be
    assert _with_cookie(old).post(CHECK, {"draft_token": token})["Location"] == START


def test_a_form_that_showed_other_answers_is_shown_again_not_sent(client, fly_tipping):
    answer_all(client)
    token = _token(client)
    later = Client()
    answer_all(later)
    other = Draft.objects.exclude(pk=client.session[session.DRAFTS][str(fly_tipping.pk)]).get()
    moved = client.session
    moved[session.DRAFTS] = {str(fly_tipping.pk): str(other.pk)}
    moved.save()
    response = client.post(CHECK, {"draft_token": token})
    assert response["Location"] == CHECK
    assert not Case.objects.exists()


def test_staff_replaying_a_recorded_contact_see_its_reference(
    staff_client, staff_user, fly_tipping, django_capture_on_commit_callbacks
):
    staff_client.post(STAFF_START, {"channel": "phone"})
    staff_answer(staff_client)
    check, done = f"{STAFF_START}check/", f"{STAFF_START}done/"
    token = _token(staff_client, check)
    with django_capture_on_commit_callbacks(execute=True):
        first = staff_client.post(check, {"draft_token": token})
        same_cookie = staff_client.post(check, {"draft_token": token})
    elsewhere = Client()  # the same member of staff, another session
    sign_in(elsewhere, staff_user)
    colleague = Client()
    sign_in(colleague, _colleague(fly_tipping))
    assert first["Location"] == same_cookie["Location"] == done
    assert elsewhere.post(check, {"draft_token": token})["Location"] == done
    case = Case.objects.get()
    assert _reference_shown(staff_client, done) == _reference_shown(elsewhere, done)
    assert _reference_shown(elsewhere, done) == case.reference
    # A token shows only the case its holder recorded.
    assert colleague.post(check, {"draft_token": token})["Location"] == STAFF_START
    assert Case.objects.count() == 1


def _resident_journey(client: Client, fly_tipping) -> tuple[str, str, str]:
    answer_all(client)
    return CHECK, DONE, START


def _staff_journey(client: Client, fly_tipping) -> tuple[str, str, str]:
    sign_in(client, _colleague(fly_tipping))
    client.post(STAFF_START, {"channel": "phone"})
    staff_answer(client)
    return f"{STAFF_START}check/", f"{STAFF_START}done/", STAFF_START


SUBMITS = 16


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("journey", [_resident_journey, _staff_journey], ids=["resident", "staff"])
def test_many_identical_submits_at_once_make_one_case_and_show_its_reference(
    fly_tipping, journey: Callable[[Client, object], tuple[str, str, str]]
):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's shared in-memory test database locks tables between threads")
    first = Client()
    check, done, _start = journey(first, fly_tipping)
    token = _token(first, check)
    cookie = _cookie(first)
    ready = threading.Barrier(SUBMITS)
    outcomes: list[tuple[str, str]] = []
    failures: list[BaseException] = []

    def submit() -> None:
        # Each thread is one browser tab, with its own database connection.
        try:
            tab = _with_cookie(cookie)
            ready.wait()
            response = tab.post(check, {"draft_token": token})
            shown = _reference_shown(tab, done) if response.status_code == 302 else ""
            outcomes.append((response.get("Location", str(response.status_code)), shown))
        except BaseException as error:  # reported below, with the others
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(SUBMITS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    case = Case.objects.get()
    assert outcomes == [(done, case.reference)] * SUBMITS
    assert len(mail.outbox) == (1 if case.contact_email else 0)
