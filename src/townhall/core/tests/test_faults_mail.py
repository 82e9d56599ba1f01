"""Fault injection: the mail server refusing and recovering, and the worker
killed in the middle of sending an email.

A real SMTP server (aiosmtpd, `townhall.testing.smtp`) on a loopback port takes
the emails, through Django's SMTP backend configured as in production. Residents
submit through the web pages. Every accepted submission must be stored whole
with its reference, nothing half-written, and every acknowledgement delivered:
exactly once, except that an email whose sending was cut off after the mail
server had accepted it arrives twice (SMTP has no way to ask whether it did).
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from townhall.cases.models import Case, CaseEvent, Draft
from townhall.notifications.models import Delivery
from townhall.testing.faults import (
    WorkerProcess,
    shared_database,
    townhall_environment,
)
from townhall.testing.smtp import MailServer
from townhall.web.tests.test_journey import START, answer_all, page

pytestmark = pytest.mark.django_db(transaction=True)

ANSWERED = {"waste_type", "size", "location", "seen_on", "description", "photos", "email"}


@pytest.fixture
def smtp(settings):
    """The council's mail server, not started: connections to it are refused."""
    server = MailServer()
    for name, value in server.django_settings().items():
        setattr(settings, name, value)
    yield server
    server.stop()


def _work() -> None:
    """The worker, in this process: everything that is due, then it stops."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)


def _outbox_retry(*options: str) -> str:
    out = StringIO()
    call_command("outbox_retry", *options, stdout=out)
    return out.getvalue()


def _submit(number: int) -> Case:
    """A resident reports fly-tipping through the web pages; the case their
    confirmation page shows."""
    client = Client()
    answer_all(client)
    contact = client.post(page("contact"), {"email": f"resident{number}@example.com"})
    assert contact.status_code == 302
    response = client.post(f"{START}check/")
    assert response.status_code == 302
    assert response["Location"] == f"{START}done/"
    done = client.get(response["Location"]).content.decode()
    case = Case.objects.get(contact_email=f"resident{number}@example.com")
    assert case.reference in done
    return case


def assert_stored_whole(case: Case) -> None:
    """The case has every answer, its reference, one "submitted" event, and its
    draft points at it."""
    case.refresh_from_db()
    assert set(case.answers) == ANSWERED
    assert case.reference.startswith("EXA-")
    assert Draft.objects.get(case=case).answers == case.answers
    assert list(case.events.values_list("kind", flat=True)) == [CaseEvent.Kind.SUBMITTED]


def assert_nothing_half_written() -> None:
    """Every event handled by the resident-email subscriber has its one email in
    the outbox, and every email in the outbox belongs to such an event."""
    for event in CaseEvent.objects.all():
        handled = "cases.resident_email" in event.handled_by
        assert Delivery.objects.filter(event=event).count() == (1 if handled else 0)
    assert not Delivery.objects.filter(event__isnull=True).exists()


def _delivery(case: Case) -> Delivery:
    return Delivery.objects.get(case=case)


@pytest.mark.slow
def test_the_mail_server_refusing_then_recovering_delivers_each_acknowledgement_once(
    smtp, database_tasks, clock, fly_tipping, staff_client
):
    # The mail server is down: connections are refused.
    first = _submit(1)
    _work()
    assert _delivery(first).status == Delivery.Status.RETRYING
    assert _delivery(first).last_error == "ConnectionRefusedError"
    page_for_staff = staff_client.get(f"/staff/cases/{first.reference}/").content.decode()
    assert "not sent yet, retrying" in page_for_staff

    # It is back but overloaded: every recipient is refused for now (451).
    smtp.rcpt_reply = "451 4.3.0 Mailbox temporarily unavailable, try again later"
    smtp.start()
    second = _submit(2)
    clock.advance(minutes=1)  # the first email's next attempt is due after 30 s
    _work()
    assert _delivery(first).last_error == _delivery(second).last_error == "SMTPRecipientsRefused"

    # Now it refuses the messages themselves once they are sent (554).
    smtp.rcpt_reply = None
    smtp.data_reply = "554 5.3.0 Message refused, try again later"
    third = _submit(3)
    clock.advance(minutes=2)
    _work()
    assert {_delivery(case).last_error for case in (first, second, third)} == {"SMTPDataError"}
    assert [_delivery(case).attempts for case in (first, second, third)] == [3, 2, 1]
    assert smtp.accepted == []
    assert smtp.refusals == 2 + 3  # each refused attempt reached the server
    assert all(_delivery(c).status == Delivery.Status.RETRYING for c in (first, second, third))

    # It recovers. Each email would go at its next attempt, which after a long
    # outage can be hours away: outbox_retry --waiting sends them all now.
    smtp.data_reply = None
    assert "3 message(s) were queued for delivery again" in _outbox_retry("--waiting")
    _work()
    deliveries = [_delivery(case) for case in (first, second, third)]
    assert [d.status for d in deliveries] == [Delivery.Status.SENT] * 3
    assert [d.last_error for d in deliveries] == [""] * 3
    # Exactly one copy of each reached the mail server, to its resident, with
    # the row's Message-ID and the case's reference.
    assert len(smtp.accepted) == 3
    for case, delivery in zip((first, second, third), deliveries, strict=True):
        (received,) = [m for m in smtp.accepted if m.message_id == delivery.provider_reference]
        assert received.message_id.startswith(f"<{delivery.reference}@")
        assert received.recipients == (case.contact_email,)
        assert case.reference in received.body
        assert_stored_whole(case)
    assert_nothing_half_written()
    page_for_staff = staff_client.get(f"/staff/cases/{first.reference}/").content.decode()
    assert f"{deliveries[0].subject}: <strong>sent</strong>" in page_for_staff

    # Nothing is sent again: not by the attempts they were waiting for, which
    # still come and find them sent, nor by later runs of outbox_retry.
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 3
    clock.advance(minutes=5)
    _work()
    assert len(smtp.accepted) == 3
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()
    clock.advance(hours=8)
    assert "0 message(s) were queued" in _outbox_retry()
    _work()
    assert len(smtp.accepted) == 3


# ---- the worker killed mid-send ---------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("stall_at", "copies"),
    [
        # Killed while the server held its answer to DATA: it never accepted
        # the message, so the resident gets it once.
        ("DATA", 1),
        # Killed after the server accepted it, before Townhall heard so: sent
        # again, the resident gets it twice, with the same Message-ID.
        ("QUIT", 2),
    ],
)
def test_a_worker_killed_mid_send_loses_nothing_and_repeats_only_what_was_accepted(
    smtp, database_tasks, clock, fly_tipping, staff_client, tmp_path, stall_at, copies
):
    smtp.start()
    smtp.stall_at = stall_at
    case = _submit(1)

    with shared_database(tmp_path) as database:
        environment = townhall_environment(tmp_path, database, **smtp.environment())
        worker = WorkerProcess(environment, "--interval", "0.1")
        try:
            worker.wait_until(smtp.stalled, "sending the email")  # it is being sent ...
            assert worker.kill() == -9  # ... when the worker is killed
        finally:
            worker.stop()
    smtp.stall_at = None
    smtp.release()

    delivery = _delivery(case)
    assert delivery.status == Delivery.Status.SENDING  # cut off: whether it went is unknown
    assert len(smtp.accepted) == copies - 1
    killed = DBTaskResult.objects.get(task_path__endswith=".deliver_due")
    assert killed.status == TaskResultStatus.RUNNING  # and it stays so: nobody finishes it

    # outbox_retry leaves a row that may still be being sent ...
    assert "0 message(s) were queued" in _outbox_retry()
    # ... until it has been "sending" for 10 minutes.
    clock.advance(minutes=11)
    assert "1 message(s) were queued for delivery again" in _outbox_retry()
    with shared_database(tmp_path) as database:
        environment = townhall_environment(tmp_path, database, **smtp.environment())
        worker = WorkerProcess(environment, "--batch")
        assert worker.wait() == 0, worker.output()

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert delivery.interrupted
    assert delivery.may_have_repeated  # Townhall cannot know which of the two it was
    assert len(smtp.accepted) == copies
    assert {m.message_id for m in smtp.accepted} == {delivery.provider_reference}
    assert_stored_whole(case)
    assert_nothing_half_written()
    page_for_staff = staff_client.get(f"/staff/cases/{case.reference}/").content.decode()
    assert "the resident may have it twice" in page_for_staff
