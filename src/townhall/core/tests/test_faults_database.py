"""Fault injection: the database connection dropped while a resident submits,
and while the worker hands a submission to its subscribers.

On PostgreSQL the connection is really dropped (`pg_terminate_backend` from a
second connection) just before a chosen statement; on SQLite that statement
fails with an OperationalError (see `townhall.testing.faults`). Whatever the
point, a submission is stored whole or not at all, the resident is told which,
and the acknowledgement is sent once.
"""

from __future__ import annotations

from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import InterfaceError, OperationalError, ProgrammingError
from django.test import Client
from django_tasks_db.models import DBTaskResult

from townhall.cases.models import Attachment, Case, CaseEvent, Draft
from townhall.core.views import server_error
from townhall.notifications.models import Delivery
from townhall.testing.faults import ConnectionDrop
from townhall.web.tests.test_journey import PNG, START, answer_all, page

pytestmark = pytest.mark.django_db(transaction=True)

CHECK = f"{START}check/"
DONE = f"{START}done/"
# The statements a connection is dropped before (or whose commit it is dropped at).
TASK = 'INSERT INTO "django_tasks_database_dbtaskresult" '
HANDLED = 'UPDATE "cases_caseevent" SET "handled_by"'


@pytest.fixture
def resident(fly_tipping) -> Client:
    """A resident at check answers, with a photo uploaded. Errors are answered
    as a browser would see them, not raised into the test."""
    client = Client(raise_request_exception=False)
    answer_all(client, photo=PNG)
    return client


class _HiddenFields(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("type") == "hidden" and found.get("name"):
            self.fields[found["name"] or ""] = found.get("value") or ""


def _send(client: Client, form: dict[str, str]):
    """Send check answers with the fields its form held, as a browser does (and
    does again, the same, when the resident goes back and sends it again)."""
    return client.post(CHECK, form)


def _check_form(client: Client) -> dict[str, str]:
    shown = client.get(CHECK)
    assert shown.status_code == 200
    parser = _HiddenFields()
    parser.feed(shown.content.decode())
    return parser.fields


def _work() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)


def _outbox_retry() -> str:
    out = StringIO()
    call_command("outbox_retry", stdout=out)
    return out.getvalue()


def assert_try_again_page(response) -> None:
    """The council's own page saying to try again: not a crash, nothing leaked."""
    body = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"]
    assert "no-store" in response["Cache-Control"]
    assert "Example Council" in body  # the council's page, not a bare server error
    assert "Try again in a few minutes" in body
    for leak in ("Traceback", "OperationalError", "InterfaceError", "cases_"):
        assert leak not in body


def assert_nothing_written(draft_before: Draft) -> None:
    """No case, event, outbox row or task; the draft, its answers and its photo
    as they were, still waiting to be sent."""
    assert not Case.objects.exists()
    assert not CaseEvent.objects.exists()
    assert not Delivery.objects.exists()
    assert not DBTaskResult.objects.exists()
    draft = Draft.objects.get()
    assert draft.pk == draft_before.pk
    assert draft.case_id is None
    assert draft.answers == draft_before.answers
    photo = Attachment.objects.get()
    assert photo.draft_id == draft.pk
    assert photo.case_id is None
    assert photo.file.storage.exists(photo.file.name or "")


def assert_one_case_one_acknowledgement() -> Case:
    """Exactly one case, stored whole with its photo, and exactly one email
    telling the resident its reference, once the worker has run."""
    case = Case.objects.get()
    assert case.answers == Draft.objects.get(case=case).answers
    assert case.answers["photos"]
    assert Attachment.objects.get().case_id == case.pk
    assert list(case.events.values_list("kind", flat=True)) == [CaseEvent.Kind.SUBMITTED]
    assert Delivery.objects.get().status == Delivery.Status.SENT
    assert len(mail.outbox) == 1
    assert case.reference in mail.outbox[0].body
    return case


# ---- the error page ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (OperationalError("server closed the connection unexpectedly"), 503),
        (InterfaceError("connection already closed"), 503),
        (ProgrammingError("relation does not exist"), 500),  # a bug, not an outage
        (ValueError("anything else"), 500),
    ],
)
def test_only_an_unreachable_database_is_answered_with_try_again(rf, council, error, status):
    request = rf.get("/services/")
    try:
        raise error
    except Exception:
        response = server_error(request)  # as Django calls it, while handling the error
    assert response.status_code == status
    assert "Example Council" in response.content.decode()
    assert ("Retry-After" in response) == (status == 503)


# ---- while a page's answers are saved ---------------------------------------------------


def test_a_connection_dropped_while_saving_a_photo_keeps_neither_row_nor_file(
    fly_tipping, database_tasks, settings
):
    resident = Client(raise_request_exception=False)
    answer_all(resident)  # every page, without a photo
    draft_before = Draft.objects.get()
    photo = SimpleUploadedFile("sofa.png", PNG, "image/png")

    with ConnectionDrop(before='INSERT INTO "cases_attachment" ') as drop:
        response = resident.post(page("photo"), {"photos": photo})

    assert drop.happened
    assert_try_again_page(response)
    assert not Attachment.objects.exists()
    assert Draft.objects.get().answers == draft_before.answers
    # The photo's file went with its row: no picture is kept that nothing names.
    assert _stored_files(settings.MEDIA_ROOT) == []

    photo.seek(0)
    assert resident.post(page("photo"), {"photos": photo}).status_code == 302
    assert len(_stored_files(settings.MEDIA_ROOT)) == 1
    assert Attachment.objects.get().draft_id == draft_before.pk


def _stored_files(root) -> list[Path]:
    return sorted(path for path in Path(root).rglob("*") if path.is_file())


# ---- during the submission's transaction -----------------------------------------------

IN_THE_TRANSACTION = {
    "writing the case": {"before": 'INSERT INTO "cases_case" '},
    "recording the submitted event": {"before": 'INSERT INTO "cases_caseevent" '},
    "linking the draft to the case": {"before": 'UPDATE "cases_draft" '},
    "giving the case its photo": {"before": 'UPDATE "cases_attachment" '},
    # The acknowledgement's task is written in the case's own transaction
    # (the database queue; ADR 71): there is no moment when the case is
    # stored and its task not.
    "enqueueing the acknowledgement": {"before": TASK},
    "committing": {"at_commit_after": 'UPDATE "cases_attachment" '},
}


@pytest.mark.parametrize("where", IN_THE_TRANSACTION)
def test_a_connection_dropped_while_submitting_writes_nothing_and_sending_again_works(
    resident, database_tasks, where
):
    draft_before = Draft.objects.get()
    form = _check_form(resident)

    with ConnectionDrop(**IN_THE_TRANSACTION[where]) as drop:
        response = _send(resident, form)

    assert drop.happened
    assert_try_again_page(response)
    assert_nothing_written(draft_before)
    # The resident goes back: their answers are there to send again.
    check = resident.get(CHECK)
    assert check.status_code == 200
    assert "Behind the shops on Castle Street" in check.content.decode()

    again = _send(resident, form)
    assert again.status_code == 302
    assert again["Location"] == DONE
    _work()
    case = assert_one_case_one_acknowledgement()
    assert case.reference in resident.get(DONE).content.decode()


# ---- after the submission committed ----------------------------------------------------


def test_a_connection_dropped_after_everything_committed_makes_nothing_twice(
    resident, database_tasks
):
    """The case and its acknowledgement's task are committed; the connection
    goes while the resident's session is being saved. They are told to try
    again, and sending the form again shows their reference and makes no
    second case or email."""
    form = _check_form(resident)
    with ConnectionDrop(before='INSERT INTO "django_session" ') as drop:
        response = _send(resident, form)

    assert drop.happened
    assert_try_again_page(response)
    case = Case.objects.get()
    assert DBTaskResult.objects.count() == 1  # its acknowledgement is on its way

    # The form names the draft it sends, so sending it again shows the
    # confirmation of the case it became, though the session never said so.
    again = _send(resident, form)
    assert again.status_code == 302
    assert again["Location"] == DONE
    assert case.reference in resident.get(DONE).content.decode()
    _work()
    assert assert_one_case_one_acknowledgement() == case


# ---- while the worker dispatches the submission ----------------------------------------

IN_THE_WORKER = {
    # Inside the subscriber's transaction: its outbox row is rolled back with it.
    "writing the email to the outbox": {"before": 'INSERT INTO "notifications_delivery" '},
    "committing the email to the outbox": {"at_commit_after": HANDLED},
    # After that transaction committed: the email is written, its task is not.
    "enqueueing the email's delivery": {"before": TASK},
    # After the email's task was enqueued: only the note that all is done is lost.
    "marking the event dispatched": {"before": 'UPDATE "cases_caseevent" SET "dispatched_at"'},
}


@pytest.mark.parametrize("where", IN_THE_WORKER)
def test_a_connection_dropped_while_dispatching_loses_nothing_and_sends_once(
    resident, database_tasks, clock, where
):
    assert _send(resident, _check_form(resident))["Location"] == DONE
    case = Case.objects.get()

    with ConnectionDrop(**IN_THE_WORKER[where]) as drop:
        _work()
    assert drop.happened

    # The worker is still working, and nothing is half-written: the subscriber
    # handled the event if and only if its email is in the outbox.
    event = CaseEvent.objects.get()
    handled = "cases.resident_email" in event.handled_by
    assert Delivery.objects.filter(event=event).count() == (1 if handled else 0)
    assert len(mail.outbox) <= 1

    # Whatever was lost is found again, by the task's own retry or by outbox_retry.
    clock.advance(minutes=16)
    _outbox_retry()
    _work()
    assert assert_one_case_one_acknowledgement() == case
    event.refresh_from_db()
    assert event.dispatched_at is not None
    assert event.handled_by == ["cases.resident_email"]

    # And nothing more is sent later.
    clock.advance(hours=8)
    _outbox_retry()
    _work()
    assert len(mail.outbox) == 1
