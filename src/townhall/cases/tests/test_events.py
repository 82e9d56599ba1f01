"""Case events: written with the change, handed to subscribers after commit,
each subscriber acting once, and a failing subscriber never losing or holding
up a submission."""

from __future__ import annotations

import io
import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from townhall.cases.events import (
    MAX_ATTEMPTS,
    event_dispatch,
    subscriber_register,
    subscriber_unregister,
)
from townhall.cases.factories import FLY_TIPPING_ANSWERS, submitted_case
from townhall.cases.models import Case, CaseEvent
from townhall.cases.services import case_add_note, case_transition
from townhall.notifications.models import Delivery
from townhall.notifications.services import Outgoing

# Every test runs on each task engine: the database queue, then RQ (src/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("task_engine")]


@pytest.fixture
def subscribe():
    """Register throwaway subscribers for one test."""
    names: list[str] = []

    def register(name, kinds, func):
        subscriber_register(name=name, kinds=kinds, func=func)
        names.append(name)

    yield register
    for name in names:
        subscriber_unregister(name=name)


class Flaky:
    """A subscriber that fails while `failing`, counting its calls."""

    def __init__(self, error: Exception | None = None) -> None:
        self.failing = True
        self.calls = 0
        self.error = error or RuntimeError("the audit service is down")

    def __call__(self, event: CaseEvent) -> list[Outgoing]:
        self.calls += 1
        if self.failing:
            raise self.error
        return []


def retry(django_capture_on_commit_callbacks, *args: str) -> str:
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("outbox_retry", *args, stdout=out)
    return out.getvalue()


def age(event: CaseEvent, **delta: float) -> None:
    CaseEvent.objects.filter(pk=event.pk).update(
        created_at=timezone.now() - timedelta(**delta),
        last_dispatch_at=None,
    )


# ---- recording ------------------------------------------------------------------------


def test_every_change_to_a_case_is_an_event(
    fly_tipping, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = submitted_case(fly_tipping)
        case_transition(case=case, to_status="inspecting", actor=staff_user, public_message="Soon")
        case_add_note(case=case, actor=staff_user, note="Rang back.")

    submitted, moved, note = case.events.all()
    assert (submitted.kind, submitted.to_status, submitted.actor) == ("submitted", "received", None)
    assert (moved.kind, moved.from_status, moved.to_status, moved.public_message) == (
        "status_changed",
        "received",
        "inspecting",
        "Soon",
    )
    assert (note.kind, note.internal_note, note.actor) == ("note", "Rang back.", staff_user)
    assert all(event.dispatched_at is not None for event in (submitted, moved, note))
    assert submitted.handled_by == moved.handled_by == ["cases.resident_email"]
    assert [d.event_id for d in Delivery.objects.order_by("pk")] == [submitted.pk, moved.pk]


def test_an_event_no_one_subscribes_to_starts_no_task(
    fly_tipping, staff_user, django_capture_on_commit_callbacks
):
    case = submitted_case(fly_tipping)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        note = case_add_note(case=case, actor=staff_user, note="Rang back.")
    assert callbacks == []
    assert note.dispatched_at is not None


def test_a_change_that_rolls_back_leaves_no_event_and_no_task(
    fly_tipping, staff_user, django_capture_on_commit_callbacks
):
    case = submitted_case(fly_tipping)

    def close_then_fail() -> None:
        with transaction.atomic():
            case_transition(case=case, to_status="cleared", actor=staff_user)
            raise RuntimeError("the rest of the request failed")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        close_then_fail()
    assert callbacks == []
    assert not case.events.filter(kind=CaseEvent.Kind.STATUS_CHANGED).exists()
    assert not Delivery.objects.exists()


def test_an_event_waits_for_its_transaction_to_commit(
    fly_tipping, subscribe, django_capture_on_commit_callbacks
):
    seen: list[str] = []

    def audit(event: CaseEvent) -> list[Outgoing]:
        seen.append(event.kind)
        return []

    subscribe("test.audit", [CaseEvent.Kind.SUBMITTED], audit)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submitted_case(fly_tipping)
    assert seen == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert seen == ["submitted"]
    assert len(mail.outbox) == 1


# ---- subscribers ------------------------------------------------------------------


def test_subscribers_see_only_the_kinds_they_registered_for(
    fly_tipping, staff_user, subscribe, django_capture_on_commit_callbacks
):
    seen: list[tuple[str, str]] = []

    def moves(event: CaseEvent) -> list[Outgoing]:
        seen.append((event.from_status, event.to_status))
        return []

    subscribe("test.moves", [CaseEvent.Kind.STATUS_CHANGED], moves)
    with django_capture_on_commit_callbacks(execute=True):
        case = submitted_case(fly_tipping)
        case_transition(case=case, to_status="scheduled", actor=staff_user)
        case_add_note(case=case, actor=staff_user, note="Booked.")
    assert seen == [("received", "scheduled")]


def test_each_subscriber_acts_on_an_event_once_however_often_it_is_dispatched(
    fly_tipping, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = submitted_case(fly_tipping)
    event = case.events.get()
    # As if the task ran twice, or a worker died before marking the event done.
    CaseEvent.objects.filter(pk=event.pk).update(dispatched_at=None)
    event_dispatch(event_id=event.pk)
    event_dispatch(event_id=event.pk)

    assert Delivery.objects.filter(event=event).count() == 1
    assert len(mail.outbox) == 1


def test_a_failing_subscriber_never_loses_or_blocks_a_submission(
    fly_tipping, subscribe, django_capture_on_commit_callbacks
):
    audit = Flaky()
    subscribe("test.audit", [CaseEvent.Kind.SUBMITTED], audit)
    with django_capture_on_commit_callbacks(execute=True):
        case = submitted_case(fly_tipping)

    # The case is stored whole, and the resident was told: the other subscriber ran.
    stored = Case.objects.get(pk=case.pk)
    assert (stored.reference, stored.status, stored.answers) == (
        case.reference,
        "received",
        FLY_TIPPING_ANSWERS,
    )
    assert stored.draft.case_id == case.pk
    assert len(mail.outbox) == 1
    # The event stays undispatched, saying which subscriber failed and why.
    event = stored.events.get()
    assert audit.calls == MAX_ATTEMPTS
    assert event.dispatched_at is None
    assert event.handled_by == ["cases.resident_email"]
    assert event.dispatch_error == "test.audit: RuntimeError"
    assert event.dispatch_attempts == MAX_ATTEMPTS

    # Given up: only --include-failed tries it again, and only the failed subscriber.
    assert "0 case event(s) were" in retry(django_capture_on_commit_callbacks)
    audit.failing = False
    assert "1 case event(s) were" in retry(django_capture_on_commit_callbacks, "--include-failed")
    event.refresh_from_db()
    assert audit.calls == MAX_ATTEMPTS + 1
    assert event.dispatched_at is not None and event.dispatch_error == ""
    assert event.handled_by == ["cases.resident_email", "test.audit"]
    assert len(mail.outbox) == 1


def test_a_subscriber_that_recovers_is_retried_by_its_task(
    fly_tipping, subscribe, django_capture_on_commit_callbacks
):
    audit = Flaky()

    def recovering(event: CaseEvent) -> list[Outgoing]:
        audit.failing = audit.calls < 2
        return audit(event)

    subscribe("test.audit", [CaseEvent.Kind.SUBMITTED], recovering)
    with django_capture_on_commit_callbacks(execute=True):
        case = submitted_case(fly_tipping)

    event = case.events.get()
    assert audit.calls == 3
    assert event.dispatched_at is not None
    assert event.dispatch_attempts == 3
    assert len(mail.outbox) == 1


def test_what_a_failing_subscriber_wrote_is_rolled_back(
    fly_tipping, subscribe, django_capture_on_commit_callbacks
):
    def half_done(event: CaseEvent) -> list[Outgoing]:
        Delivery.objects.create(
            organisation=event.case.organisation,
            case=event.case,
            channel=Delivery.Channel.EMAIL,
            provider="email",
            recipient="someone@example.com",
            subject="Half",
        )
        raise IntegrityError("a constraint failed")

    subscribe("test.half", [CaseEvent.Kind.SUBMITTED], half_done)
    with django_capture_on_commit_callbacks(execute=True):
        case = submitted_case(fly_tipping)

    assert not Delivery.objects.filter(subject="Half").exists()
    assert Delivery.objects.filter(case=case).count() == 1  # the resident's own
    assert case.events.get().dispatch_error == "test.half: IntegrityError"


def test_a_subscribers_messages_are_written_and_sent(
    fly_tipping, staff_user, subscribe, django_capture_on_commit_callbacks
):
    def copy_to_team(event: CaseEvent) -> list[Outgoing]:
        return [
            Outgoing(
                channel=Delivery.Channel.EMAIL,
                recipient="team@example.gov.uk",
                subject=f"Moved to {event.to_status}",
                body=event.case.reference,
            )
        ]

    subscribe("test.team", [CaseEvent.Kind.STATUS_CHANGED], copy_to_team)
    with django_capture_on_commit_callbacks(execute=True):
        case = submitted_case(fly_tipping)
        case_transition(case=case, to_status="inspecting", actor=staff_user)

    team = Delivery.objects.get(subscriber="test.team")
    assert (team.case, team.event.kind, team.status) == (case, "status_changed", "sent")
    assert sorted(m.to[0] for m in mail.outbox) == [
        "resident@example.com",
        "resident@example.com",
        "team@example.gov.uk",
    ]


# ---- lost dispatches ------------------------------------------------------------------


def test_an_event_whose_task_was_lost_is_dispatched_by_outbox_retry(
    fly_tipping, django_capture_on_commit_callbacks
):
    # The process stopped between the commit and enqueueing the task.
    case = submitted_case(fly_tipping)
    event = case.events.get()
    assert event.dispatched_at is None

    age(event, minutes=5)
    assert "0 case event(s) would be" in retry(django_capture_on_commit_callbacks, "--dry-run")
    age(event, minutes=16)
    assert "1 case event(s) would be" in retry(django_capture_on_commit_callbacks, "--dry-run")
    assert mail.outbox == []

    retry(django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["resident@example.com"]]
    event.refresh_from_db()
    assert event.dispatched_at is not None


def test_emails_retry_also_dispatches_lost_events(fly_tipping, django_capture_on_commit_callbacks):
    case = submitted_case(fly_tipping)
    age(case.events.get(), hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("emails_retry", stdout=io.StringIO())
    assert len(mail.outbox) == 1


def test_a_dispatch_cut_off_mid_way_is_picked_up_within_minutes(
    fly_tipping, django_capture_on_commit_callbacks
):
    case = submitted_case(fly_tipping)
    event = case.events.get()
    # A worker was killed while dispatching; another is waiting for its backoff.
    killed = timezone.now() - timedelta(minutes=11)
    CaseEvent.objects.filter(pk=event.pk).update(last_dispatch_at=killed, dispatch_attempts=1)
    waiting = submitted_case(fly_tipping).events.get()
    CaseEvent.objects.filter(pk=waiting.pk).update(
        last_dispatch_at=killed, dispatch_attempts=1, dispatch_error="test.audit: RuntimeError"
    )
    # Workers took both events' tasks (with the database queue, written with
    # each case): the one killed took its task with it.
    DBTaskResult.objects.all().delete()

    assert "1 case event(s) were" in retry(django_capture_on_commit_callbacks)
    event.refresh_from_db()
    assert event.dispatched_at is not None
    assert [m.to for m in mail.outbox] == [["resident@example.com"]]


def test_waiting_events_are_dispatched_now_with_waiting(
    fly_tipping, django_capture_on_commit_callbacks
):
    # Its subscriber failed a minute ago; its next attempt is a while away.
    waiting = submitted_case(fly_tipping).events.get()
    CaseEvent.objects.filter(pk=waiting.pk).update(
        last_dispatch_at=timezone.now() - timedelta(minutes=1),
        dispatch_attempts=3,
        dispatch_error="cases.resident_email: OperationalError",
    )
    assert "0 case event(s) were" in retry(django_capture_on_commit_callbacks)
    assert "1 case event(s) were" in retry(django_capture_on_commit_callbacks, "--waiting")
    waiting.refresh_from_db()
    assert waiting.dispatched_at is not None
    assert [m.to for m in mail.outbox] == [["resident@example.com"]]


def test_a_failing_subscriber_is_logged_without_what_its_error_said(
    fly_tipping, subscribe, caplog, django_capture_on_commit_callbacks
):
    subscribe("test.audit", [CaseEvent.Kind.SUBMITTED], Flaky(ValueError("resident@example.com")))
    with caplog.at_level(logging.DEBUG), django_capture_on_commit_callbacks(execute=True):
        submitted_case(fly_tipping)
    assert "subscriber test.audit failed with ValueError" in caplog.text
    assert "resident@example.com" not in caplog.text
