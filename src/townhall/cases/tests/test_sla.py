"""Team managers hear about their teams' cases that are about to breach their
due time, and that have breached it, once each; queues show both."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from townhall.cases.factories import submitted_case
from townhall.cases.models import Case, SlaWarning
from townhall.cases.services import case_transition
from townhall.cases.sla import due_soon_until, sla_warnings_send
from townhall.notifications.models import Delivery
from townhall.tenancy.factories import MembershipFactory
from townhall.tenancy.models import Membership, Team

LONDON = ZoneInfo("Europe/London")
# A Wednesday in term time: no bank holidays near.
NOW = datetime(2026, 6, 10, 9, 0, tzinfo=LONDON)


def _due(case: Case, when: datetime) -> Case:
    Case.objects.filter(pk=case.pk).update(due_at=when)
    case.refresh_from_db()
    return case


def _manager_emails(to: str) -> list[Delivery]:
    return list(Delivery.objects.filter(recipient=to).order_by("pk"))


@pytest.fixture
def street_scene(council):
    return Team.objects.get_or_create(
        organisation=council, slug="street-scene", defaults={"name": "Street scene"}
    )[0]


@pytest.fixture
def manager(council, street_scene):
    membership = MembershipFactory.create(
        organisation=council,
        role=Membership.Role.TEAM_MANAGER,
        user__email="manager@example.gov.uk",
    )
    membership.teams.add(street_scene)
    return membership.user


def test_due_soon_runs_to_the_end_of_the_next_working_day(council):
    friday = datetime(2026, 8, 28, 15, 0, tzinfo=LONDON)  # Monday 31 August is a bank holiday
    assert due_soon_until(organisation=council, now=friday) == datetime(
        2026, 9, 1, 23, 59, 59, tzinfo=LONDON
    )


def test_managers_are_told_once_about_cases_due_soon_and_overdue(
    clock, fly_tipping, street_scene, manager, staff_user, other_council, other_fly_tipping
):
    clock.at(NOW - timedelta(days=20))
    overdue = _due(submitted_case(fly_tipping), NOW - timedelta(hours=1))
    soon = _due(submitted_case(fly_tipping), NOW + timedelta(days=1))
    later = _due(submitted_case(fly_tipping), NOW + timedelta(days=5))
    closed = submitted_case(fly_tipping)
    case_transition(case=closed, to_status="cleared", actor=staff_user)
    teamless = _due(submitted_case(fly_tipping), NOW - timedelta(days=1))
    Case.objects.filter(pk=teamless.pk).update(team=None)
    elsewhere = _due(submitted_case(other_fly_tipping), NOW - timedelta(days=1))
    # A caseworker of the team is not told; only its managers are.
    MembershipFactory.create(organisation=fly_tipping.organisation).teams.add(street_scene)

    clock.at(NOW)
    run = sla_warnings_send(organisation=fly_tipping.organisation)
    assert (run.breached, run.due_soon, run.emails, run.without_manager) == (1, 1, 1, 0)
    (email,) = _manager_emails(manager.email)
    assert email.subject == "Example Council: 1 case overdue, 1 due soon"
    assert overdue.reference in email.body and soon.reference in email.body
    assert f"/staff/cases/{overdue.reference}/" in email.body
    for quiet in (later, closed, teamless, elsewhere):
        assert quiet.reference not in email.body
    assert Delivery.objects.filter(subject__contains="overdue").count() == 1

    # Once each: the next run finds nothing new.
    clock.at(NOW + timedelta(minutes=15))
    run = sla_warnings_send(organisation=fly_tipping.organisation)
    assert (run.breached, run.due_soon, run.emails) == (0, 0, 0)
    assert len(_manager_emails(manager.email)) == 1

    # The case that was due soon breaches: that is news, once.
    clock.at(NOW + timedelta(days=1, hours=1))
    sla_warnings_send(organisation=fly_tipping.organisation)
    sla_warnings_send(organisation=fly_tipping.organisation)
    emails = _manager_emails(manager.email)
    assert len(emails) == 2
    assert emails[1].subject == "Example Council: 1 case overdue"
    assert soon.reference in emails[1].body and overdue.reference not in emails[1].body
    assert SlaWarning.objects.filter(case=soon).count() == 2


def test_a_new_due_time_is_a_new_deadline(clock, fly_tipping, manager):
    clock.at(NOW - timedelta(days=20))
    case = _due(submitted_case(fly_tipping), NOW - timedelta(hours=2))
    clock.at(NOW)
    sla_warnings_send(organisation=fly_tipping.organisation)
    _due(case, NOW - timedelta(hours=1))
    sla_warnings_send(organisation=fly_tipping.organisation)
    assert len(_manager_emails(manager.email)) == 2


def test_cases_of_a_team_without_a_manager_are_counted_and_not_emailed(
    clock, fly_tipping, street_scene
):
    clock.at(NOW - timedelta(days=20))
    _due(submitted_case(fly_tipping), NOW - timedelta(hours=1))
    clock.at(NOW)
    run = sla_warnings_send(organisation=fly_tipping.organisation)
    assert (run.breached, run.emails, run.without_manager) == (1, 0, 1)
    assert not Delivery.objects.filter(subject__contains="overdue").exists()


def test_the_command_says_what_it_did_and_a_dry_run_writes_nothing(clock, fly_tipping, manager):
    clock.at(NOW - timedelta(days=20))
    _due(submitted_case(fly_tipping), NOW - timedelta(hours=1))
    out = StringIO()
    clock.at(NOW)
    call_command("cases_sla_warn", "--dry-run", "--organisation", "example", stdout=out)
    assert "1 overdue and 0 due-soon case(s) would be warned about in 1 email(s)" in (
        out.getvalue()
    )
    assert not SlaWarning.objects.exists() and not _manager_emails(manager.email)
    call_command("cases_sla_warn", stdout=out)
    assert "example: 1 overdue and 0 due-soon case(s) were warned about" in out.getvalue()
    assert len(_manager_emails(manager.email)) == 1


def test_the_queue_and_the_case_page_mark_cases_due_soon_and_overdue(
    clock, fly_tipping, staff_client
):
    clock.at(NOW - timedelta(days=20))
    overdue = _due(submitted_case(fly_tipping), NOW - timedelta(hours=1))
    soon = _due(submitted_case(fly_tipping), NOW + timedelta(days=1))
    _due(submitted_case(fly_tipping), NOW + timedelta(days=5))
    clock.at(NOW)
    body = staff_client.get("/staff/").content.decode()
    assert body.count("govuk-tag--red") == 1 and body.count("govuk-tag--yellow") == 1
    assert "Due soon" in body and "Overdue" in body
    page = staff_client.get(f"/staff/cases/{soon.reference}/").content.decode()
    assert "Due soon" in page
    page = staff_client.get(f"/staff/cases/{overdue.reference}/").content.decode()
    assert "Overdue" in page
