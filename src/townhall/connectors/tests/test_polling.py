"""Updates polled from an upstream Open311 system (the local server started
here) reach the cases sent to it through the workflow, as updates POSTed to
our own servicerequestupdates do; a system that is down or answers garbage
loses no window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from townhall.cases.factories import submitted_case
from townhall.cases.models import ExternalUpdate
from townhall.connectors.models import Open311Poll
from townhall.connectors.tests.conftest import import_with_send_to
from townhall.connectors.tests.test_sending import open311_destination
from townhall.webhooks.provider import http_session

pytestmark = pytest.mark.django_db


def sent_case(council, open311, capture):
    service = import_with_send_to(council, [open311_destination(open311)])
    with capture(execute=True):
        case = submitted_case(service)
    open311.wait_for(1)
    (form,) = open311.forms()
    assert form["service_code"] == "FLY"
    return case


def upstream_update(update_id, status, *, minutes_ago=5, request_id="SR1000", **more):
    when = timezone.now() - timedelta(minutes=minutes_ago)
    return {
        "update_id": update_id,
        "service_request_id": request_id,
        "status": status,
        "updated_datetime": when.astimezone(UTC).isoformat(),
        "description": more.pop("description", ""),
        **more,
    }


def poll(capsys, **options):
    call_command("open311_poll", organisation="example", **options)
    return capsys.readouterr().out


def test_a_polled_update_moves_the_case_through_its_workflow(
    council, open311, django_capture_on_commit_callbacks, capsys
):
    case = sent_case(council, open311, django_capture_on_commit_callbacks)
    open311.updates = [
        upstream_update("u1", "investigating", minutes_ago=10),
        upstream_update("u2", "action_scheduled", description="Booked for Tuesday"),
    ]

    with django_capture_on_commit_callbacks(execute=True):
        out = poll(capsys)

    case.refresh_from_db()
    assert case.status == "scheduled"
    assert "2 applied" in out
    open311.wait_for(2)
    (asked,) = open311.polls()
    assert asked["api_key"] == "secret-key"
    applied = ExternalUpdate.objects.filter(case=case).order_by("pk")
    assert [(u.update_id, u.accepted) for u in applied] == [("u1", True), ("u2", True)]
    assert case.events.filter(public_message="Booked for Tuesday").exists()
    state = Open311Poll.objects.get(organisation=council)
    assert state.endpoint == f"{open311.url}/open311/v2"
    assert state.polled_until is not None and state.last_error == ""


def test_the_next_poll_starts_where_the_last_good_one_ended_and_repeats_nothing(
    council, open311, django_capture_on_commit_callbacks, capsys
):
    case = sent_case(council, open311, django_capture_on_commit_callbacks)
    open311.updates = [upstream_update("u1", "investigating")]
    poll(capsys)
    first_end = Open311Poll.objects.get().polled_until

    # The system lists the same update again (an overlapping window): not applied twice.
    out = poll(capsys, since=(timezone.now() - timedelta(hours=1)).isoformat())
    assert "0 applied, 1 seen before" in out
    poll(capsys)

    open311.wait_for(4)
    assert open311.polls()[2]["start_date"] != open311.polls()[0]["start_date"]
    assert datetime.fromisoformat(open311.polls()[2]["start_date"]) >= first_end.replace(
        microsecond=0
    )
    assert ExternalUpdate.objects.filter(case=case, accepted=True).count() == 1
    assert case.events.filter(kind="status_changed").count() == 1


def test_an_unknown_or_disallowed_status_is_refused_and_recorded(
    council, open311, django_capture_on_commit_callbacks, capsys
):
    case = sent_case(council, open311, django_capture_on_commit_callbacks)
    open311.updates = [
        upstream_update("u1", "mended", minutes_ago=9),
        upstream_update("u2", "duplicate", minutes_ago=8),
        upstream_update("u3", "investigating", minutes_ago=7),
        upstream_update("u4", "other-case", request_id="SR9999"),
        {
            "update_id": "u5",
            "service_request_id": "SR1000",
            "status": "investigating",
            "updated_datetime": "2026-13-45T99:00:00Z",
        },
    ]

    out = poll(capsys)

    # u5's time is not a time: it is within the window it was listed in, so applied.
    assert "2 applied, 0 seen before, 2 refused, 1 not matched" in out
    assert f"refused {case.reference} u1: MENDED is not a status" in out
    assert "This service has no status DUPLICATE" in out
    refused = ExternalUpdate.objects.filter(case=case, accepted=False).order_by("update_id")
    assert [(u.update_id, u.status) for u in refused] == [("u1", "MENDED"), ("u2", "DUPLICATE")]
    case.refresh_from_db()
    assert case.status == "inspecting"


@pytest.mark.parametrize(
    "trouble",
    ["down", "garbage", "not-a-list", "stopped"],
)
def test_a_system_that_is_down_or_answers_garbage_keeps_its_window(
    council, open311, django_capture_on_commit_callbacks, capsys, caplog, trouble
):
    case = sent_case(council, open311, django_capture_on_commit_callbacks)
    open311.updates = [upstream_update("u1", "investigating", minutes_ago=30)]
    Open311Poll.objects.create(
        organisation=council,
        endpoint=f"{open311.url}/open311/v2",
        polled_until=timezone.now() - timedelta(hours=1),
    )
    if trouble == "down":
        open311.failures = [503]
    elif trouble == "garbage":
        open311.garbage = b"<html>Service unavailable</html>"
    elif trouble == "not-a-list":
        open311.garbage = b'{"error": "nope"}'
    else:
        open311.stop()
        # A connection kept open from sending the case would still be answered.
        http_session().close()

    with pytest.raises(CommandError, match="1 system"):
        poll(capsys)

    state = Open311Poll.objects.get()
    assert state.polled_until < timezone.now() - timedelta(minutes=59)
    assert state.last_error
    assert "open311 poll of 127.0.0.1 failed" in caplog.text
    assert "resident@example.com" not in caplog.text and case.reference not in caplog.text
    case.refresh_from_db()
    assert case.status == "received"

    # Back: the next run reads the whole window and applies the update.
    if trouble == "stopped":
        open311.start()
    open311.garbage = b""
    poll(capsys)
    case.refresh_from_db()
    assert case.status == "inspecting"
    assert Open311Poll.objects.get().last_error == ""


def test_only_the_councils_own_cases_are_matched(
    council, other_council, open311, django_capture_on_commit_callbacks, capsys
):
    case = sent_case(council, open311, django_capture_on_commit_callbacks)
    import_with_send_to(other_council, [open311_destination(open311)])
    open311.updates = [upstream_update("u1", "investigating")]

    call_command("open311_poll", organisation="other")
    out = capsys.readouterr().out

    assert "0 applied, 0 seen before, 0 refused, 1 not matched" in out
    case.refresh_from_db()
    assert case.status == "received"


def test_bad_options_are_refused_clearly(council):
    with pytest.raises(CommandError, match="--since must be a date"):
        call_command("open311_poll", since="yesterday")
    with pytest.raises(CommandError, match="No council has the slug"):
        call_command("open311_poll", organisation="nowhere")


def test_a_dry_run_reads_and_matches_but_changes_nothing(
    council, open311, django_capture_on_commit_callbacks, capsys
):
    case = sent_case(council, open311, django_capture_on_commit_callbacks)
    open311.updates = [
        upstream_update("u1", "investigating"),
        upstream_update("u2", "fixed", request_id="SR9999"),
    ]

    out = poll(capsys, dry_run=True)

    assert "1 would be applied or refused, 1 not matched" in out
    case.refresh_from_db()
    assert case.status == "received"
    assert not ExternalUpdate.objects.exists()
    assert not Open311Poll.objects.exists()


def test_the_councils_admins_see_each_polled_system_and_its_failure(
    client, council, other_council, django_assert_max_num_queries
):
    from django.urls import reverse

    from townhall.tenancy.factories import MembershipFactory
    from townhall.tenancy.models import Membership
    from townhall.testing.sign_in import sign_in

    admin = MembershipFactory(
        organisation=council,
        user__email="admin@example.gov.uk",
        user__password="!",
        role=Membership.Role.ORGANISATION_ADMIN,
    ).user
    sign_in(client, admin)
    for n in range(3):
        Open311Poll.objects.create(
            organisation=council,
            endpoint=f"https://highways{n}.example.gov.uk/open311/v2",
            last_attempt_at=timezone.now(),
            last_error="HTTP 503" if n == 0 else "",
        )
    Open311Poll.objects.create(
        organisation=other_council, endpoint="https://theirs.example.gov.uk/open311/v2"
    )

    with django_assert_max_num_queries(12):
        page = client.get(reverse("backoffice:webhooks"))

    text = page.content.decode()
    assert "Open311 systems asked for updates" in text
    assert "https://highways0.example.gov.uk/open311/v2" in text
    assert "Not read: HTTP 503. Tried again at the next poll." in text
    assert text.count("Not read yet") == 3
    assert "theirs.example.gov.uk" not in text
