"""Every caseworking action, and looking at or downloading contacts, is in the
council's audit log; an action that is refused or stale writes no entry."""

from __future__ import annotations

import pytest

from townhall.audit.models import AuditEntry
from townhall.cases.contacts import contact_log
from townhall.cases.factories import submitted_case
from townhall.cases.models import Channel, Contact
from townhall.cases.services import case_transition
from townhall.tenancy.factories import MembershipFactory
from townhall.tenancy.models import Team


@pytest.fixture
def case(fly_tipping):
    return submitted_case(fly_tipping)


def _post(client, case, action: str, data: dict[str, object]):
    return client.post(f"/staff/cases/{case.reference}/{action}/", data)


def _entries(**filters) -> list[tuple[str, str, str]]:
    return list(
        AuditEntry.objects.filter(**filters)
        .order_by("pk")
        .values_list("action", "case_reference", "detail")
    )


def test_each_caseworking_action_is_audited(staff_client, staff_user, case, fly_tipping, council):
    team = Team.objects.create(organisation=council, slug="field", name="Field")
    ref = case.reference
    _post(staff_client, case, "assign", {"team": "field", "assignee": staff_user.pk, "version": 1})
    _post(staff_client, case, "priority", {"priority": "urgent", "version": 2})
    _post(staff_client, case, "follow", {})
    _post(staff_client, case, "follow", {"follow": "no"})
    case.refresh_from_db()
    closed = case_transition(case=case, to_status="cleared", actor=staff_user)
    _post(staff_client, case, "reopen", {"version": closed.version})
    case.refresh_from_db()
    original = submitted_case(fly_tipping)
    _post(staff_client, case, "merge", {"into": original.reference, "version": case.version})
    assert _entries(actor=staff_user) == [
        ("assigned", ref, f"team: field, person: {staff_user.pk}"),
        ("changed_priority", ref, "urgent"),
        ("followed", ref, "follow"),
        ("followed", ref, "unfollow"),
        ("reopened", ref, ""),
        ("merged", ref, f"into {original.reference}"),
    ]
    assert team.cases.get() == case


def test_a_stale_or_refused_action_writes_no_entry(staff_client, staff_user, case):
    _post(staff_client, case, "priority", {"priority": "high", "version": case.version + 5})
    _post(staff_client, case, "reopen", {"version": case.version})  # it is open
    assert _entries(actor=staff_user) == []


def test_a_transfer_is_audited_in_the_council_that_had_the_case(
    staff_client, staff_user, case, other_fly_tipping
):
    other = other_fly_tipping.organisation
    response = _post(staff_client, case, "transfer", {"organisation": other.slug, "version": 1})
    assert response.status_code == 302
    assert _entries(organisation=case.organisation, actor=staff_user) == [
        ("transferred", case.reference, f"to {other.slug}")
    ]


def test_changing_how_the_resident_hears_is_audited(staff_client, staff_user, case):
    response = _post(
        staff_client,
        case,
        "updates",
        {"updates-updates_by": "none"},
    )
    assert response.status_code == 302
    (entry,) = AuditEntry.objects.filter(action="changed_updates")
    assert (entry.case_reference, entry.personal_data, entry.detail) == (
        case.reference,
        "contact details",
        "none",
    )


def test_looking_at_and_logging_contacts_is_audited(staff_client, staff_user, council):
    assert staff_client.get("/staff/contacts/").status_code == 200
    response = staff_client.post(
        "/staff/contacts/new/",
        {"channel": "phone", "reason": "general_enquiry", "outcome": "resolved"},
    )
    assert response.status_code == 302
    assert [a for a, _r, _d in _entries(actor=staff_user)] == [
        "viewed_contacts",
        "recorded_contact",
    ]
    viewed = AuditEntry.objects.get(action="viewed_contacts")
    assert viewed.personal_data.startswith("contacts")


def test_contacts_download_as_csv_between_two_dates_and_the_export_is_audited(
    staff_client, staff_user, council, other_council, fly_tipping
):
    case = submitted_case(fly_tipping)
    contact_log(
        organisation=council,
        channel=Channel.PHONE,
        reason=Contact.Reason.PROGRESS_CHASING,
        outcome=Contact.Outcome.CASE_UPDATED,
        actor=staff_user,
        case=case,
        duration_minutes=4,
        note="=HYPERLINK(1)",
    )
    contact_log(
        organisation=other_council,
        channel=Channel.EMAIL,
        reason=Contact.Reason.COMPLAINT,
        outcome=Contact.Outcome.NO_ACTION,
        actor=MembershipFactory.create(organisation=other_council).user,
    )
    response = staff_client.get("/staff/contacts/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = b"".join(response.streaming_content).decode().splitlines()
    assert rows[0].startswith("created_at,channel,reason,outcome,avoidable,duration_minutes")
    body = "\n".join(rows[1:])
    assert "phone,progress_chasing,case_updated,,4,report-fly-tipping" in body
    assert case.reference in body and "'=HYPERLINK(1)" in body  # no formula runs
    assert "complaint" not in body  # not another council's
    # Only the web submission's contact and the phone call; none before today.
    assert len(rows) == 3
    (entry,) = AuditEntry.objects.filter(action="exported")
    assert entry.detail == "contacts: start to now" and "notes" in entry.personal_data

    response = staff_client.get("/staff/contacts/export/?date_to=2000-01-01")
    assert b"".join(response.streaming_content).decode().count("\n") == 1  # headings only


def test_a_bad_date_for_the_download_says_which(staff_client):
    response = staff_client.get("/staff/contacts/export/?date_from=yesterday&date_to=2026-02-30")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter the from date as year-month-day" in body
    assert "Enter the to date as year-month-day" in body
    assert "<title>Error:" in body
    assert not AuditEntry.objects.filter(action="exported").exists()
