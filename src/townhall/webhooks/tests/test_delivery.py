"""Webhooks delivered to a real HTTP server: signed, in order for each case,
retried while it fails, times out or is down, and never lost."""

from __future__ import annotations

import io
import time
from datetime import timedelta
from typing import cast

import jsonschema
import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from townhall.cases import casework
from townhall.cases import services as case_services
from townhall.cases.factories import submitted_case
from townhall.notifications.models import Delivery
from townhall.notifications.services import MAX_ATTEMPTS
from townhall.webhooks.models import Endpoint
from townhall.webhooks.payloads import payload_schema
from townhall.webhooks.signing import signature_valid

# Every test runs on each task engine: the database queue, then RQ (src/conftest.py).
pytestmark = [pytest.mark.django_db(transaction=False), pytest.mark.usefixtures("task_engine")]


def submit(fly_tipping, capture):
    with capture(execute=True):
        return submitted_case(fly_tipping)


def transition(case, user, capture, to_status="inspecting"):
    with capture(execute=True):
        return case_services.case_transition(
            case=case, to_status=to_status, actor=user, public_message="On our way"
        )


def webhooks(case=None):
    rows = Delivery.objects.filter(channel=Delivery.Channel.WEBHOOK)
    return rows.filter(case=case) if case is not None else rows


def test_a_new_case_is_posted_signed_and_matching_the_schema(
    fly_tipping, endpoint, receiver, django_capture_on_commit_callbacks
):
    case = submit(fly_tipping, django_capture_on_commit_callbacks)

    (request,) = receiver.wait_for(1)
    headers = request.headers
    assert request.path == "/hooks"
    assert headers["Content-Type"] == "application/json"
    assert headers["Townhall-Webhook-Event"] == "case.created"
    assert signature_valid(
        secret=endpoint.secret,
        timestamp=headers["Townhall-Webhook-Timestamp"],
        body=request.body,
        header=headers["Townhall-Webhook-Signature"],
        now=int(time.time()),
    )
    assert not signature_valid(
        secret="whsec_wrong",
        timestamp=headers["Townhall-Webhook-Timestamp"],
        body=request.body,
        header=headers["Townhall-Webhook-Signature"],
        now=int(time.time()),
    )
    payload = request.json()
    jsonschema.validate(payload, payload_schema(), format_checker=jsonschema.FormatChecker())
    assert headers["Townhall-Webhook-Id"] == payload["id"]
    assert payload["type"] == "case.created"
    assert payload["case"]["reference"] == case.reference
    assert payload["case"]["answers"]["waste_type"] == "furniture"
    assert payload["organisation"] == {"slug": "example", "name": "Example Council"}
    delivery = webhooks(case).get()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENT, 1)


def test_every_event_type_matches_the_schema(
    fly_tipping, endpoint, receiver, staff_user, django_capture_on_commit_callbacks
):
    from townhall.cases.contacts import contact_log

    case = submit(fly_tipping, django_capture_on_commit_callbacks)
    transition(case, staff_user, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        case_services.case_add_note(case=case, actor=staff_user, note="Crew booked")
    with django_capture_on_commit_callbacks(execute=True):
        contact_log(
            organisation=case.organisation,
            channel="phone",
            reason="progress_chasing",
            outcome="case_updated",
            actor=staff_user,
            case=case,
        )

    requests = receiver.wait_for(7)
    types = [r.json()["type"] for r in requests]
    assert types == [
        "case.created",
        "case.status_changed",
        "case.updated",
        "case.note_added",
        "case.updated",
        "contact.logged",
        "case.updated",
    ]
    for request in requests:
        jsonschema.validate(request.json(), payload_schema())
    status_changed = requests[1].json()
    assert status_changed["change"] == {
        "type": "case.status_changed",
        "from_status": "received",
        "to_status": "inspecting",
        "public_message": "On our way",
    }
    assert status_changed["actor"] == "staff"
    assert requests[2].json()["change"]["type"] == "case.status_changed"
    assert len({r.json()["id"] for r in requests}) == 7


def test_an_endpoint_gets_only_the_events_it_asked_for(
    council, fly_tipping, receiver, staff_user, django_capture_on_commit_callbacks
):
    from townhall.webhooks.services import endpoint_add

    endpoint_add(organisation=council, url=receiver.url, events=["case.status_changed"])
    case = submit(fly_tipping, django_capture_on_commit_callbacks)
    transition(case, staff_user, django_capture_on_commit_callbacks)

    (request,) = receiver.wait_for(1)
    assert request.json()["type"] == "case.status_changed"
    assert webhooks().count() == 1


def test_another_councils_endpoint_hears_nothing(
    other_council, fly_tipping, receiver, django_capture_on_commit_callbacks
):
    from townhall.webhooks.services import endpoint_add

    endpoint_add(organisation=other_council, url=receiver.url)
    submit(fly_tipping, django_capture_on_commit_callbacks)
    assert webhooks().count() == 0
    assert receiver.seen == []


@pytest.mark.parametrize("status", [500, 503, 404, 301])
def test_a_failing_endpoint_is_retried_until_it_recovers(
    fly_tipping, endpoint, receiver, status, django_capture_on_commit_callbacks
):
    receiver.fail(status, times=3)
    case = submit(fly_tipping, django_capture_on_commit_callbacks)

    assert len(receiver.wait_for(1)) == 1
    assert len(receiver.seen) == 4
    delivery = webhooks(case).get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        Delivery.Status.SENT,
        4,
        "",
    )
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None
    assert endpoint.last_success_at is not None
    # every attempt carries the same event id, so the receiver can drop repeats
    assert len({r.headers["Townhall-Webhook-Id"] for r in receiver.seen}) == 1


def test_a_slow_answer_within_the_timeout_is_a_delivery_and_a_slower_one_a_retry(
    fly_tipping, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.slow(3).slow(0.3)  # the first times out (1 second), the second is slow but in time
    case = submit(fly_tipping, django_capture_on_commit_callbacks)

    delivery = webhooks(case).get()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENT, 2)
    assert len(receiver.seen) == 2
    endpoint.refresh_from_db()
    assert endpoint.last_error == ""


def test_an_endpoint_that_is_down_never_blocks_a_submission_and_gets_everything_once_back(
    fly_tipping, endpoint, receiver, staff_user, django_capture_on_commit_callbacks
):
    receiver.stop()  # connections refused
    case = submit(fly_tipping, django_capture_on_commit_callbacks)
    # With tasks run at once, every attempt of the schedule ran: it was given up.
    first = webhooks(case).get()
    assert (first.status, first.attempts, first.last_error) == (
        Delivery.Status.FAILED,
        MAX_ATTEMPTS,
        "ConnectionError",
    )
    endpoint.refresh_from_db()
    assert endpoint.is_active  # not down long enough to be turned off
    assert endpoint.last_error == "ConnectionError"

    receiver.start()
    transition(case, staff_user, django_capture_on_commit_callbacks)
    # The later event waits for the earlier one: nothing is sent out of order.
    later = webhooks(case).exclude(pk=first.pk).order_by("pk")
    assert {row.status for row in later} == {Delivery.Status.PENDING}
    assert receiver.seen == []

    with django_capture_on_commit_callbacks(execute=True):
        call_command("outbox_retry", "--include-failed", stdout=io.StringIO())

    types = [r.json()["type"] for r in receiver.wait_for(3)]
    assert types == ["case.created", "case.status_changed", "case.updated"]
    assert set(webhooks(case).values_list("status", flat=True)) == {Delivery.Status.SENT}


def test_events_for_one_case_wait_while_an_earlier_one_is_retrying(
    settings, fly_tipping, endpoint, receiver, staff_user, django_capture_on_commit_callbacks
):
    """Tasks are held (not run) so each step is taken by hand, as a worker would."""
    from django_tasks import default_task_backend
    from django_tasks.backends.dummy import DummyBackend

    from townhall.cases.events import event_dispatch
    from townhall.cases.models import CaseEvent
    from townhall.notifications.services import NotDelivered, delivery_send

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    held = cast(DummyBackend, default_task_backend)
    held.clear()

    def queued_deliveries() -> list[int]:
        return [r.args[0] for r in held.results if r.task.name == "deliver"]

    receiver.fail(503, times=1)
    case = submit(fly_tipping, django_capture_on_commit_callbacks)
    event_dispatch(event_id=CaseEvent.objects.get(case=case).pk)
    (created,) = webhooks(case)
    with pytest.raises(NotDelivered):
        delivery_send(delivery_id=created.pk)  # the endpoint answers 503: retrying

    transition(case, staff_user, django_capture_on_commit_callbacks)
    event_dispatch(event_id=CaseEvent.objects.get(case=case, kind="status_changed").pk)
    status_changed, updated = webhooks(case).exclude(pk=created.pk).order_by("pk")
    held.clear()
    delivery_send(delivery_id=status_changed.pk)  # its turn has not come: it waits
    status_changed.refresh_from_db()
    assert (status_changed.status, status_changed.attempts) == (Delivery.Status.PENDING, 0)
    assert len(receiver.seen) == 1 and queued_deliveries() == []

    delivery_send(delivery_id=created.pk)  # the retry succeeds and starts the one that waited
    assert queued_deliveries() == [status_changed.pk]
    delivery_send(delivery_id=status_changed.pk)
    delivery_send(delivery_id=updated.pk)  # never waited: its own task sends it

    assert [r.json()["type"] for r in receiver.wait_for(3)] == [
        "case.created",
        "case.status_changed",
        "case.updated",
    ]
    assert set(webhooks(case).values_list("status", flat=True)) == {Delivery.Status.SENT}


def test_a_delivery_cut_off_mid_send_is_sent_again_by_outbox_retry(
    fly_tipping, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.stop()
    case = submit(fly_tipping, django_capture_on_commit_callbacks)
    receiver.start()
    # As a worker killed mid-request leaves it: "sending", attempted 11 minutes ago.
    Delivery.objects.filter(case=case, channel="webhook").update(
        status=Delivery.Status.SENDING, last_attempt_at=timezone.now() - timedelta(minutes=11)
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("outbox_retry", stdout=io.StringIO())

    (request,) = receiver.wait_for(1)
    delivery = webhooks(case).get()
    assert delivery.status == Delivery.Status.SENT
    assert delivery.interrupted and delivery.may_have_repeated
    assert request.json()["id"] == delivery.payload["event_id"]


def test_an_endpoint_failing_for_days_is_turned_off_its_admins_told_and_nothing_lost(
    fly_tipping, endpoint, receiver, admin, staff_user, django_capture_on_commit_callbacks
):
    receiver.stop()
    case = submit(fly_tipping, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    # Two days of failures later, the next failed request turns it off.
    Endpoint.objects.filter(pk=endpoint.pk).update(
        failing_since=timezone.now() - timedelta(hours=49)
    )
    transition(case, staff_user, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("outbox_retry", "--include-failed", stdout=io.StringIO())

    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert endpoint.disabled_reason == Endpoint.DisabledReason.FAILING
    notices = [m for m in mail.outbox if "webhook endpoint was turned off" in m.subject]
    assert [m.to for m in notices] == [["admin@example.gov.uk"]]
    assert endpoint.url in notices[0].body
    # Everything for it is kept as a dead letter; nothing more is tried.
    assert set(webhooks(case).values_list("status", flat=True)) == {Delivery.Status.FAILED}
    tried = len(receiver.seen)

    receiver.start()
    from townhall.webhooks.services import dead_letters_replay, endpoint_enable

    with django_capture_on_commit_callbacks(execute=True):
        assert dead_letters_replay(organisation=case.organisation, deliveries=webhooks(case)) == 0
    endpoint_enable(endpoint=endpoint)
    with django_capture_on_commit_callbacks(execute=True):
        replayed = dead_letters_replay(
            organisation=case.organisation, deliveries=webhooks(case).order_by("pk")
        )
    assert replayed == 3
    assert tried == 0
    types = [r.json()["type"] for r in receiver.wait_for(3)]
    assert types == ["case.created", "case.status_changed", "case.updated"]


def test_a_private_address_is_refused_when_private_addresses_are_not_allowed(
    settings, fly_tipping, endpoint, receiver, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    case = submit(fly_tipping, django_capture_on_commit_callbacks)
    delivery = webhooks(case).get()
    assert (delivery.status, delivery.last_error) == (Delivery.Status.FAILED, "AddressNotAllowed")
    assert receiver.seen == []


def test_giving_a_case_to_a_team_is_sent_as_case_assigned(
    council, fly_tipping, endpoint, receiver, staff_user, django_capture_on_commit_callbacks
):
    from townhall.tenancy.models import Team

    team = Team.objects.create(organisation=council, slug="enforcement", name="Enforcement")
    case = submit(fly_tipping, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        casework.case_assign(case=case, team=team, assignee=None, actor=staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        # No change: no event.
        casework.case_assign(case=case, team=team, assignee=None, actor=staff_user)

    requests = receiver.wait_for(3)
    assert [r.json()["type"] for r in requests] == ["case.created", "case.assigned", "case.updated"]
    assigned = requests[1].json()
    jsonschema.validate(assigned, payload_schema())
    assert assigned["change"]["team"] == "enforcement"
    assert assigned["case"]["team"] == "enforcement"
