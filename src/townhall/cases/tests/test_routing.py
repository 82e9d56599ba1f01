"""New cases go to the team the definition names, and are due when its SLA says."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from townhall.cases.factories import FLY_TIPPING_ANSWERS, submitted_case
from townhall.cases.services import case_transition
from townhall.catalogue.engine.validation import definition_problems
from townhall.catalogue.services import service_import
from townhall.catalogue.tests.operators import CouncilIs, registered
from townhall.tenancy.models import Team


def _with_routing(fly_tipping, **extra):
    definition = dict(fly_tipping.published_version.definition)
    definition["routing"] = {
        "team": "street-scene",
        "rules": [
            {"when": {"question": "waste_type", "equals": "hazardous"}, "team": "enforcement"}
        ],
    }
    definition.update(extra)
    return service_import(organisation=fly_tipping.organisation, definition=definition).service


def test_cases_go_to_the_team_a_rule_picks_else_the_default(fly_tipping):
    street = Team.objects.create(
        organisation=fly_tipping.organisation, slug="street-scene", name="Street"
    )
    enforcement = Team.objects.create(
        organisation=fly_tipping.organisation, slug="enforcement", name="Enforcement"
    )
    service = _with_routing(fly_tipping)
    assert submitted_case(service).team == street
    hazardous = submitted_case(service, dict(FLY_TIPPING_ANSWERS, waste_type="hazardous"))
    assert hazardous.team == enforcement


def test_a_missing_rule_team_falls_back_to_the_default(fly_tipping):
    street = Team.objects.create(
        organisation=fly_tipping.organisation, slug="street-scene", name="Street"
    )
    service = _with_routing(fly_tipping)
    assert submitted_case(service, dict(FLY_TIPPING_ANSWERS, waste_type="hazardous")).team == street


def test_a_team_the_council_lacks_leaves_the_case_unassigned(fly_tipping, other_council):
    Team.objects.create(organisation=other_council, slug="street-scene", name="Not ours")
    service = _with_routing(fly_tipping)
    assert submitted_case(service).team is None


def _with_sla(fly_tipping, service_sla, state_sla):
    """Fly-tipping with the service's SLA and the "scheduled" state's set anew."""
    definition = {
        k: v
        for k, v in fly_tipping.published_version.definition.items()
        if k not in ("sla_days", "sla_working_days")
    }
    definition.update(service_sla)
    workflow = dict(definition["workflow"])
    workflow["states"] = [
        dict(state, **state_sla) if state["id"] == "scheduled" else state
        for state in workflow["states"]
    ]
    definition["workflow"] = workflow
    return service_import(organisation=fly_tipping.organisation, definition=definition).service


def _london(year, month, day, hour=0, minute=0, second=0):
    return datetime(year, month, day, hour, minute, second, tzinfo=ZoneInfo("Europe/London"))


def test_due_dates_follow_the_service_then_state_sla(clock, fly_tipping, staff_user):
    service = _with_sla(fly_tipping, {"sla_days": 10}, {"sla_days": 2})
    clock.at(_london(2026, 6, 3, 10, 30))
    case = submitted_case(service)
    # Calendar days: to the end of the tenth day after.
    assert case.due_at == _london(2026, 6, 13, 23, 59, 59)
    case = case_transition(case=case, to_status="scheduled", actor=staff_user)
    assert case.due_at == _london(2026, 6, 5, 23, 59, 59)
    case = case_transition(case=case, to_status="cleared", actor=staff_user)
    assert case.due_at is None and case.closed_at is not None and not case.is_open


def test_working_days_skip_weekends_and_the_councils_bank_holidays(clock, fly_tipping, staff_user):
    service = _with_sla(fly_tipping, {"sla_working_days": 1}, {"sla_working_days": 3})
    # New Year's Eve 2026 is a Thursday; 1 January a bank holiday everywhere,
    # and in Scotland 2 January too (a Saturday, so Monday 4 January instead).
    clock.at(_london(2026, 12, 31, 16, 0))
    english = submitted_case(service)
    fly_tipping.organisation.gss_code = "S12000036"
    fly_tipping.organisation.save()
    scottish = submitted_case(service)
    assert english.due_at == _london(2027, 1, 4, 23, 59, 59)
    assert scottish.due_at == _london(2027, 1, 5, 23, 59, 59)
    # A state's own working days count from when the case moves into it:
    # from a Friday, 3 working days is the Wednesday after.
    clock.at(_london(2027, 1, 8, 9, 0))
    scottish = case_transition(case=scottish, to_status="scheduled", actor=staff_user)
    assert scottish.due_at == _london(2027, 1, 13, 23, 59, 59)


def test_the_standard_fly_tipping_service_has_a_due_date(clock, fly_tipping):
    clock.at(_london(2026, 12, 23, 12, 0))
    case = submitted_case(fly_tipping)
    # 5 working days: 24, 29, 30, 31 December (25 and 28 are bank holidays) and 4 January.
    assert case.due_at == _london(2027, 1, 4, 23, 59, 59)


def test_a_definition_gives_calendar_or_working_days_not_both(fly_tipping):
    definition = dict(fly_tipping.published_version.definition, sla_days=3)
    problems = definition_problems(definition)
    assert "sla_working_days: give sla_days or sla_working_days, not both" in problems
    state = dict(definition["workflow"]["states"][0], sla_days=2, sla_working_days=2)
    definition = dict(definition, workflow=dict(definition["workflow"], states=[state]))
    del definition["sla_days"]
    assert "workflow.states[0].sla_working_days: give sla_days or sla_working_days, not both" in (
        definition_problems(definition)
    )


def test_the_queue_filters_by_team_and_flags_overdue_cases(staff_client, fly_tipping):
    street = Team.objects.create(
        organisation=fly_tipping.organisation, slug="street-scene", name="Street"
    )
    Team.objects.create(organisation=fly_tipping.organisation, slug="enforcement", name="Enf")
    service = _with_routing(fly_tipping)
    mine = submitted_case(service)
    other = submitted_case(service, dict(FLY_TIPPING_ANSWERS, waste_type="hazardous"))
    type(mine).objects.filter(pk=mine.pk).update(due_at=timezone.now() - timedelta(days=1))
    body = staff_client.get(f"/staff/?team={street.slug}").content.decode()
    assert mine.reference in body and other.reference not in body
    assert "Overdue" in body
    assert other.reference in staff_client.get("/staff/").content.decode()


def test_emails_link_to_the_councils_own_site(
    fly_tipping, other_fly_tipping, settings, django_capture_on_commit_callbacks
):
    from django.core import mail

    from townhall.tenancy.models import Site

    settings.TOWNHALL_PUBLIC_URL = "https://townhall.example"
    Site.objects.filter(organisations=other_fly_tipping.organisation).update(
        public_url="https://services.other.example/"
    )
    with django_capture_on_commit_callbacks(execute=True):
        submitted_case(fly_tipping)
        submitted_case(other_fly_tipping)
    ours, theirs = mail.outbox
    assert "https://townhall.example/track/" in ours.body
    assert "https://services.other.example/track/" in theirs.body


def test_routing_rules_are_tested_with_the_council_in_their_context(fly_tipping, other_council):
    """An operator reading the context's council (one that exists only in this
    test) sees the council the case belongs to."""
    ours = fly_tipping.organisation
    Team.objects.create(organisation=ours, slug="street-scene", name="Street")
    enforcement = Team.objects.create(organisation=ours, slug="enforcement", name="Enforcement")
    definition = dict(fly_tipping.published_version.definition)
    with registered(CouncilIs):
        rules = [
            {"when": {"council_is": other_council.slug}, "team": "street-scene"},
            {"when": {"council_is": ours.slug}, "team": "enforcement"},
        ]
        definition["routing"] = {"rules": rules}
        service = service_import(organisation=ours, definition=definition).service
        assert submitted_case(service).team == enforcement
