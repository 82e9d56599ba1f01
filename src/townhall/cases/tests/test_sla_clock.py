"""The SLA clock stops while a case waits on the resident and starts again
with the time that was left, in working days of the council's bank holiday
calendar (England and Wales here). Every date below is worked out by hand."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from townhall.cases.factories import submitted_case
from townhall.cases.models import Case
from townhall.cases.services import case_transition
from townhall.cases.sla import sla_warnings_send
from townhall.catalogue.services import service_import
from townhall.catalogue.standard import STANDARD_DIR, load_definition_file

LONDON = ZoneInfo("Europe/London")


def _end_of(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 23, 59, 59, tzinfo=LONDON)


@pytest.fixture
def service(council):
    """Fly-tipping (5 working days) with a state that asks the resident for
    more information, one that asks with 10 calendar days to reply, and a
    "scheduled" state with an SLA of its own (2 working days)."""
    definition = load_definition_file(STANDARD_DIR / "report-fly-tipping.yaml")
    workflow = definition["workflow"]
    workflow["states"] = [
        {**s, "sla_working_days": 2} if s["id"] == "scheduled" else s for s in workflow["states"]
    ] + [
        {
            "id": "more_information",
            "label": "More information needed",
            "public_label": "We need more information",
            "asks_resident": True,
        },
        {
            "id": "evidence",
            "label": "Waiting for evidence",
            "public_label": "We need evidence",
            "asks_resident": True,
            "sla_days": 10,
        },
    ]
    transitions = workflow["transitions"]
    transitions["received"] = [*transitions["received"], "more_information", "evidence"]
    transitions["inspecting"] = [*transitions["inspecting"], "more_information"]
    transitions["more_information"] = ["inspecting", "scheduled", "cleared", "evidence"]
    transitions["evidence"] = ["inspecting"]
    return service_import(organisation=council, definition=definition).service


def _move(case: Case, status: str, staff_user) -> Case:
    case_transition(case=case, to_status=status, actor=staff_user)
    case.refresh_from_db()
    return case


def test_a_pause_over_the_august_bank_holiday(clock, service, staff_user):
    # Friday 21 August 2026, 5 working days: Mon 24 to Fri 28 August.
    clock.at(datetime(2026, 8, 21, 10, 0, tzinfo=LONDON))
    case = submitted_case(service)
    assert case.due_at == _end_of(2026, 8, 28)
    # Asked on Tuesday 25th: Wed 26, Thu 27 and Fri 28 are left.
    clock.at(datetime(2026, 8, 25, 9, 0, tzinfo=LONDON))
    case = _move(case, "more_information", staff_user)
    assert (case.due_at, case.sla_days_left, case.sla_days_are_working) == (None, 3, True)
    assert case.sla_paused_at == datetime(2026, 8, 25, 9, 0, tzinfo=LONDON)
    # The resident answers on Friday 28th: Monday 31 August is a bank
    # holiday, so the three days are Tue 1, Wed 2 and Thu 3 September.
    clock.at(datetime(2026, 8, 28, 14, 0, tzinfo=LONDON))
    case = _move(case, "inspecting", staff_user)
    assert case.due_at == _end_of(2026, 9, 3)
    assert (case.sla_paused_at, case.sla_days_left) == (None, None)


def test_a_pause_over_christmas_and_new_year(clock, service, staff_user):
    # Monday 21 December 2026: Tue 22, Wed 23, Thu 24, then Christmas Day
    # (Fri 25) and Boxing Day's substitute (Mon 28) are bank holidays, so
    # Tue 29 and Wed 30 December.
    clock.at(datetime(2026, 12, 21, 11, 0, tzinfo=LONDON))
    case = submitted_case(service)
    assert case.due_at == _end_of(2026, 12, 30)
    # Asked on Wednesday 23rd: Thu 24, Tue 29 and Wed 30 are left.
    clock.at(datetime(2026, 12, 23, 16, 0, tzinfo=LONDON))
    case = _move(case, "more_information", staff_user)
    assert case.sla_days_left == 3
    # Moves on on Thursday 31st: New Year's Day (Fri 1 January 2027) is a
    # bank holiday, so Mon 4, Tue 5 and Wed 6 January.
    clock.at(datetime(2026, 12, 31, 10, 0, tzinfo=LONDON))
    case = _move(case, "inspecting", staff_user)
    assert case.due_at == _end_of(2027, 1, 6)


def test_a_case_overdue_when_it_stops_is_as_overdue_when_it_starts(clock, service, staff_user):
    clock.at(datetime(2026, 8, 21, 10, 0, tzinfo=LONDON))
    case = submitted_case(service)  # due Friday 28 August
    # Asked on Wednesday 2 September: Tue 1 and Wed 2 past the due day (Mon 31
    # is a bank holiday): overdue by two working days.
    clock.at(datetime(2026, 9, 2, 9, 0, tzinfo=LONDON))
    case = _move(case, "more_information", staff_user)
    assert case.sla_days_left == -2
    # Moves on on Monday 7 September: two working days before is Thursday 3rd.
    clock.at(datetime(2026, 9, 7, 9, 0, tzinfo=LONDON))
    case = _move(case, "inspecting", staff_user)
    assert case.due_at == _end_of(2026, 9, 3)


def test_a_waiting_case_is_not_overdue_nor_warned_about(clock, service, staff_user):
    clock.at(datetime(2026, 8, 21, 10, 0, tzinfo=LONDON))
    case = submitted_case(service)
    clock.at(datetime(2026, 8, 25, 9, 0, tzinfo=LONDON))
    _move(case, "more_information", staff_user)
    clock.at(datetime(2026, 9, 30, 9, 0, tzinfo=LONDON))  # long after the due day
    assert not Case.objects.overdue(now=datetime(2026, 9, 30, 9, 0, tzinfo=LONDON)).exists()
    run = sla_warnings_send(organisation=case.organisation, dry_run=True)
    assert (run.breached, run.due_soon) == (0, 0)


def test_a_state_with_its_own_sla_or_a_closed_one_forgets_the_pause(clock, service, staff_user):
    clock.at(datetime(2026, 8, 21, 10, 0, tzinfo=LONDON))
    case = submitted_case(service)
    clock.at(datetime(2026, 8, 25, 9, 0, tzinfo=LONDON))
    case = _move(case, "more_information", staff_user)
    # "Scheduled" has 2 working days of its own, from Friday 28th: Tue 1 and
    # Wed 2 September (Monday 31 August is a bank holiday).
    clock.at(datetime(2026, 8, 28, 14, 0, tzinfo=LONDON))
    case = _move(case, "scheduled", staff_user)
    assert case.due_at == _end_of(2026, 9, 2)
    assert case.sla_paused_at is None and case.sla_days_left is None
    case = _move(case, "cleared", staff_user)
    assert case.due_at is None and case.sla_paused_at is None


def test_a_waiting_state_with_its_own_sla_gives_the_resident_a_deadline(clock, service, staff_user):
    clock.at(datetime(2026, 8, 21, 10, 0, tzinfo=LONDON))
    case = submitted_case(service)  # due Friday 28 August
    clock.at(datetime(2026, 8, 25, 9, 0, tzinfo=LONDON))
    case = _move(case, "evidence", staff_user)
    # 10 calendar days for the resident's reply: Friday 4 September; the
    # council's three working days are kept meanwhile.
    assert case.due_at == _end_of(2026, 9, 4)
    assert case.sla_days_left == 3
    clock.at(datetime(2026, 8, 28, 14, 0, tzinfo=LONDON))
    case = _move(case, "inspecting", staff_user)
    assert case.due_at == _end_of(2026, 9, 3)


def test_the_case_page_shows_the_clock_stopped(clock, service, staff_user, staff_client):
    clock.at(datetime(2026, 8, 21, 10, 0, tzinfo=LONDON))
    case = submitted_case(service)
    clock.at(datetime(2026, 8, 25, 9, 0, tzinfo=LONDON))
    _move(case, "more_information", staff_user)
    page = staff_client.get(f"/staff/cases/{case.reference}/").content.decode()
    assert "Paused" in page
    assert (
        "Waiting on the resident since 25 August 2026: 3 working days left when it moves on."
        in page
    )
