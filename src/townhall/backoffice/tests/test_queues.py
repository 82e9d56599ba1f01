"""Staff queues: which cases each queue holds, filters, search, keyset pages,
capped counts, saved filters, bulk actions, and a constant number of queries."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from townhall.audit.models import AuditEntry
from townhall.cases import casework
from townhall.cases.factories import FLY_TIPPING_ANSWERS, submitted_case
from townhall.cases.models import Case, CaseEvent, SavedFilter
from townhall.cases.services import case_transition
from townhall.catalogue.factories import definition_data, page_data, question_data
from townhall.tenancy.factories import MembershipFactory
from townhall.tenancy.models import Membership, Team
from townhall.testing.sign_in import sign_in


@pytest.fixture
def team(council):
    return Team.objects.create(organisation=council, slug="field-officers", name="Field officers")


@pytest.fixture
def colleague(council):
    return MembershipFactory(
        organisation=council, user__email="colleague@example.gov.uk", user__password="!"
    ).user


def _body(client, query: str = "") -> str:
    response = client.get(f"/staff/?{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_each_queue_holds_its_cases(staff_client, staff_user, colleague, fly_tipping, team):
    Membership.objects.get(user=staff_user).teams.add(team)
    mine = submitted_case(fly_tipping)
    casework.case_assign(case=mine, actor=staff_user, assignee=staff_user, team=None)
    theirs = submitted_case(fly_tipping)
    casework.case_assign(case=theirs, actor=staff_user, assignee=colleague, team=team)
    nobodys = submitted_case(fly_tipping)
    late = submitted_case(fly_tipping)
    Case.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(days=1))
    closed = case_transition(
        case=submitted_case(fly_tipping), to_status="cleared", actor=staff_user
    )

    def shown(query: str) -> set[str]:
        body = _body(staff_client, query)
        every = [mine, theirs, nobodys, late, closed]
        return {c.reference for c in every if c.reference in body}

    assert shown("queue=mine") == {mine.reference}
    assert shown("queue=team") == {theirs.reference}
    assert shown("queue=unassigned") == {nobodys.reference, late.reference}
    assert shown("queue=overdue") == {late.reference}
    assert shown("queue=closed") == {closed.reference}
    assert shown("queue=updated") == {c.reference for c in [mine, theirs, nobodys, late, closed]}
    assert shown("") == {mine.reference, theirs.reference, nobodys.reference, late.reference}


def test_someone_in_no_team_is_told_so(staff_client, fly_tipping):
    assert "You are not in any team yet" in _body(staff_client, "queue=team")


def test_filters_narrow_the_queue(staff_client, staff_user, fly_tipping, team):
    phone = submitted_case(fly_tipping, channel="phone")
    web = submitted_case(fly_tipping, dict(FLY_TIPPING_ANSWERS, waste_type="tyres"))
    casework.case_set_priority(case=web, actor=staff_user, priority="urgent")
    casework.case_assign(case=web, actor=staff_user, assignee=staff_user, team=team)
    body = _body(staff_client, "channel=phone")
    assert phone.reference in body and web.reference not in body
    body = _body(staff_client, "priority=urgent")
    assert web.reference in body and phone.reference not in body
    body = _body(staff_client, f"team={team.slug}&assignee={staff_user.pk}")
    assert web.reference in body and phone.reference not in body
    body = _body(staff_client, f"service={fly_tipping.pk}&status=received")
    assert web.reference in body and phone.reference in body
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert phone.reference not in _body(staff_client, f"created_from={tomorrow}")
    today = timezone.localdate().isoformat()
    body = _body(staff_client, f"created_from={today}&created_to={today}&updated_to={today}")
    assert phone.reference in body


def test_a_filter_that_is_not_a_choice_is_explained(staff_client, fly_tipping):
    response = staff_client.get("/staff/?created_from=31/02/2026&priority=whenever")
    body = response.content.decode()
    assert response.status_code == 400
    assert "Enter a real date" in body
    assert "There is a problem" in body


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("RESIDENT@example.com", True),
        ("07700 900 982", True),
        ("+44 7700 900982", True),
        ("ox1 1aa", True),
        ("Ada Lovelace", True),
        ("lovelace", True),
        ("mattresses", True),
        ("someone@else.example", False),
        ("Babbage", False),
    ],
)
def test_search_finds_the_resident_by_what_staff_know(staff_client, council, typed, found):
    from townhall.catalogue.services import service_import

    service = service_import(organisation=council, definition=_contact_definition()).service
    case = submitted_case(
        service,
        {
            "name": "Ada Lovelace",
            "phone": "07700900982",
            "postcode": "OX1 1AA",
            "details": "Two mattresses by the gate",
            "email": "resident@example.com",
        },
    )
    assert case.search_phone == "07700900982"
    body = _body(staff_client, urlencode({"q": typed}))
    assert (case.reference in body) is found


def _contact_definition():
    return definition_data(
        page_data(
            "about",
            question_data("name", "name", "Name"),
            question_data("phone", "phone", "Phone"),
            question_data("postcode", "postcode", "Postcode"),
            question_data("details", "textarea", "Details"),
            question_data("email", "email", "Email", contact="email"),
        ),
        slug="report-a-thing",
        name="Report a thing",
    )


def test_search_never_reaches_another_council(staff_client, fly_tipping, other_fly_tipping):
    theirs = submitted_case(other_fly_tipping)
    body = _body(staff_client, "q=resident@example.com")
    assert theirs.reference not in body
    assert "No case of your council has the reference" in _body(
        staff_client, f"q={theirs.reference}"
    )


def test_pages_follow_on_by_keyset_and_the_count_is_capped(staff_client, fly_tipping, monkeypatch):
    from townhall.cases import queues

    monkeypatch.setitem(queues.queue_page.__kwdefaults__, "size", 2)
    monkeypatch.setattr(queues, "COUNT_CAP", 3)
    monkeypatch.setattr("townhall.backoffice.queue_views.COUNT_CAP", 3)
    cases = [submitted_case(fly_tipping) for _ in range(5)]
    first = _body(staff_client)
    assert "More than 3 cases" in first
    assert cases[0].reference in first and cases[2].reference not in first
    after = Case.objects.get(reference=cases[1].reference).pk
    assert f"after={after}" in first
    second = _body(staff_client, f"after={after}")
    assert cases[2].reference in second and cases[3].reference in second
    assert cases[1].reference not in second
    assert "First page" in second
    last = _body(staff_client, f"after={Case.objects.get(reference=cases[3].reference).pk}")
    assert cases[4].reference in last and 'rel="next"' not in last


@pytest.mark.parametrize(
    "query",
    [
        "",
        "queue=mine",
        "queue=team",
        "queue=unassigned",
        "queue=overdue",
        "queue=updated",
        "queue=closed",
        "q=resident@example.com",
        "q=sofa",
        "channel=web&priority=normal&created_from=2020-01-01",
    ],
)
def test_a_queue_page_costs_the_same_queries_however_many_cases(staff_client, fly_tipping, query):
    submitted_case(fly_tipping)
    with CaptureQueriesContext(connection) as few:
        assert staff_client.get(f"/staff/?{query}").status_code == 200
    for _ in range(4):
        submitted_case(fly_tipping)
    with CaptureQueriesContext(connection) as many:
        staff_client.get(f"/staff/?{query}")
    after = Case.objects.order_by("created_at", "pk").first().pk
    with CaptureQueriesContext(connection) as deep:
        staff_client.get(f"/staff/?{query}&after={after}")
    # At most: session, user, membership, six lists for the filters, the count,
    # the page and its service versions, the site; a later page also reads the
    # row it starts after. An empty page skips its versions.
    assert len(few) == len(many) <= 14  # with the session's second factor
    assert len(many) <= len(deep) <= len(many) + 1


def test_saved_filters_are_each_persons_own(staff_client, staff_user, colleague, fly_tipping):
    response = staff_client.post(
        "/staff/saved-filters/", {"name": "Urgent phone", "query": "channel=phone&priority=urgent"}
    )
    assert response.status_code == 302
    saved = SavedFilter.objects.get()
    assert (saved.user, saved.query) == (staff_user, "channel=phone&priority=urgent")
    assert "Urgent phone" in _body(staff_client)
    sign_in(staff_client, colleague)
    assert "Urgent phone" not in _body(staff_client)
    staff_client.post(f"/staff/saved-filters/{saved.pk}/delete/")
    assert SavedFilter.objects.exists()  # not theirs to remove
    sign_in(staff_client, staff_user)
    staff_client.post(f"/staff/saved-filters/{saved.pk}/delete/")
    assert not SavedFilter.objects.exists()


def test_saving_without_a_name_says_so(staff_client, fly_tipping):
    staff_client.post("/staff/saved-filters/", {"name": "", "query": "channel=phone"})
    assert "Enter a name" in _body(staff_client, "channel=phone")
    assert not SavedFilter.objects.exists()


def _versions(*cases) -> dict[str, int]:
    """What the queue posts beside the ticked cases: the version of each it showed."""
    return {f"version-{case.reference}": case.version for case in cases}


def test_bulk_assign_and_priority(staff_client, staff_user, fly_tipping, other_fly_tipping, team):
    ours = [submitted_case(fly_tipping) for _ in range(2)]
    theirs = submitted_case(other_fly_tipping)
    references = [c.reference for c in ours] + [theirs.reference]
    response = staff_client.post(
        "/staff/cases/bulk/",
        {
            "cases": references,
            "action": "assign",
            "team": team.slug,
            "assignee": staff_user.pk,
            **_versions(*ours, theirs),
        },
        follow=True,
    )
    assert "2 cases changed." in response.content.decode()
    for case in ours:
        case.refresh_from_db()
        assert (case.team, case.assignee) == (team, staff_user)
        assert case.events.filter(kind=CaseEvent.Kind.ASSIGNED).count() == 1
    theirs.refresh_from_db()
    assert theirs.assignee is None  # another council's case is never touched
    staff_client.post(
        "/staff/cases/bulk/",
        {"cases": references, "action": "priority", "priority": "high", **_versions(*ours)},
    )
    assert {c.priority for c in Case.objects.filter(organisation=fly_tipping.organisation)} == {
        "high"
    }
    entries = AuditEntry.objects.filter(organisation=fly_tipping.organisation)
    assert sorted(entries.values_list("action", "case_reference")) == sorted(
        [("assigned", c.reference) for c in ours]
        + [("changed_priority", c.reference) for c in ours]
    )


def test_bulk_leaves_and_names_cases_changed_since_the_queue_was_loaded(
    staff_client, staff_user, colleague, fly_tipping, team
):
    fresh, stale = submitted_case(fly_tipping), submitted_case(fly_tipping)
    seen = _versions(fresh, stale)
    # A colleague changes one of them after the queue was shown.
    casework.case_assign(case=stale, actor=colleague, assignee=colleague, team=None)
    response = staff_client.post(
        "/staff/cases/bulk/",
        {
            "cases": [fresh.reference, stale.reference],
            "action": "assign",
            "team": team.slug,
            "assignee": staff_user.pk,
            **seen,
        },
        follow=True,
    )
    body = response.content.decode()
    assert "1 case changed." in body
    assert "Someone else changed these cases after you loaded the list" in body
    assert stale.reference in body
    fresh.refresh_from_db()
    stale.refresh_from_db()
    assert fresh.assignee == staff_user
    assert stale.assignee == colleague  # not overwritten
    assert not AuditEntry.objects.filter(case_reference=stale.reference).exists()


def test_the_queue_posts_the_version_of_each_case_it_shows(staff_client, staff_user, fly_tipping):
    case = submitted_case(fly_tipping)
    casework.case_set_priority(case=case, actor=staff_user, priority="high")
    case.refresh_from_db()
    assert f'name="version-{case.reference}" value="{case.version}"' in _body(staff_client)


def test_bulk_without_cases_says_so(staff_client, fly_tipping):
    response = staff_client.post("/staff/cases/bulk/", {"action": "assign"}, follow=True)
    assert "Select at least one case" in response.content.decode()


def test_closed_cases_received_in_a_range_page_by_keyset(
    staff_client, staff_user, fly_tipping, monkeypatch
):
    from townhall.cases import queues

    monkeypatch.setitem(queues.queue_page.__kwdefaults__, "size", 1)
    closed = [
        case_transition(case=submitted_case(fly_tipping), to_status="cleared", actor=staff_user)
        for _ in range(2)
    ]
    today = timezone.localdate().isoformat()
    query = f"queue=closed&created_from={today}&created_to={today}"
    first = _body(staff_client, query)
    assert closed[1].reference in first and closed[0].reference not in first
    second = _body(staff_client, f"{query}&after={Case.objects.get(pk=closed[1].pk).pk}")
    assert closed[0].reference in second and closed[1].reference not in second
