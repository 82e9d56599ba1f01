"""Insight: analysts and managers see contacts by channel, take-up, costs,
savings and what to move online next, for their council only, and download
every table."""

from __future__ import annotations

import copy
import csv
import html
import io
import json
from datetime import UTC, date, datetime

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from townhall.cases.casework import case_reopen
from townhall.cases.factories import submitted_case
from townhall.cases.models import Case, CaseEvent, Contact
from townhall.cases.services import case_transition
from townhall.catalogue.services import service_import
from townhall.insight.models import (
    CaseDay,
    ContactDay,
    CouncilRate,
    InsightSharing,
    TrackingDay,
)
from townhall.places.models import Area
from townhall.tenancy.factories import MembershipFactory
from townhall.testing.sign_in import sign_in

URL = "/staff/insight/"
DATES = "?start=2026-04-01&end=2026-11-30&period=month"


def _contacts(organisation, service, channel: str, count: int, when: date) -> None:
    rows = Contact.objects.bulk_create(
        Contact(
            organisation=organisation,
            service=service,
            channel=channel,
            reason=Contact.Reason.NEW_REQUEST,
            outcome=Contact.Outcome.CASE_OPENED,
        )
        for _ in range(count)
    )
    moment = datetime(when.year, when.month, when.day, 12, tzinfo=UTC)
    Contact.objects.filter(pk__in=[row.pk for row in rows]).update(created_at=moment)


@pytest.fixture
def contacts(fly_tipping, other_fly_tipping):
    council = fly_tipping.organisation
    _contacts(council, fly_tipping, "web", 70, date(2026, 5, 10))
    _contacts(council, fly_tipping, "phone", 25, date(2026, 6, 10))
    _contacts(council, fly_tipping, "face_to_face", 5, date(2026, 6, 11))
    _contacts(council, fly_tipping, "phone", 40, date(2025, 6, 10))  # last year
    _contacts(council, fly_tipping, "web", 10, date(2025, 6, 10))
    _contacts(other_fly_tipping.organisation, other_fly_tipping, "phone", 1000, date(2026, 6, 1))
    return council


@pytest.fixture
def analyst_client(client, council):
    user = MembershipFactory(organisation=council, role="analyst", user__password="!").user
    sign_in(client, user)
    return client


def _text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_analyst_sees_channels_costs_and_savings(analyst_client, contacts):
    page = _text(analyst_client.get(URL + DATES))
    # 70 online, 25 by phone, 5 face to face: £14.00 + £70.75 + £50.80 = £135.55.
    assert "£135.55" in page
    assert "70.0%" in page  # digital take-up
    # All by phone: 100 x £2.83 = £283.00, saving £147.45.
    assert "£283.00" in page and "£147.45" in page
    # Last year's mix (80% by phone): 20 online (£4.00) and 80 by phone (£226.40).
    assert "£230.40" in page and "£94.85" in page
    # Moving fly-tipping's 30 offline online: 25 x £2.63 + 5 x £9.96 = £115.55.
    assert "£115.55" in page
    assert "Kable's 2015 analysis of council audits" in page
    assert "1,025" not in page  # the other council's phone calls are not added to ours


def test_the_page_costs_the_same_queries_however_many_contacts(
    analyst_client, contacts, django_assert_max_num_queries
):
    # Signing in, the roll-up cut, each figure once (today's cases once for
    # both the service and the ward tables), and the services' costs.
    with django_assert_max_num_queries(26) as first:
        analyst_client.get(URL + DATES)
    _contacts(contacts, None, "letter", 50, date(2026, 7, 1))
    with django_assert_max_num_queries(len(first.captured_queries)):
        analyst_client.get(URL + DATES)


def test_every_table_downloads_as_csv_and_xlsx(analyst_client, contacts):
    response = analyst_client.get("/staff/insight/tables/channels.csv" + DATES)
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["Channel", "Contacts", "Share"]
    phone = next(row for row in rows if row[0] == "Phone")
    assert phone[1:5] == ["25", "0.25", "2.83", "70.75"]
    response = analyst_client.get("/staff/insight/tables/opportunities.xlsx" + DATES)
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][1:] == [30, 115.55]
    assert analyst_client.get("/staff/insight/tables/nothing.csv").status_code == 404
    assert analyst_client.get("/staff/insight/tables/channels.pdf").status_code == 404


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?start=2026-13-01", "Enter the start date as a real date"),
        ("?start=2026-06-01&end=2026-05-01", "The start date must be on or before the end date"),
        ("?period=century", "Choose day, week, month or financial year"),
    ],
)
def test_bad_dates_are_named_not_a_500(analyst_client, contacts, query, message):
    response = analyst_client.get(URL + query)
    assert response.status_code == 200
    assert message in _text(response)


def test_an_admin_sets_the_councils_costs(client, contacts):
    admin = MembershipFactory(organisation=contacts, role="organisation_admin", user__password="!")
    sign_in(client, admin.user)
    response = client.post(
        "/staff/insight/costs/", {"rate_phone": "4.00", "rate_email": "1.50", "named": "on"}
    )
    assert response.status_code == 302
    assert dict(CouncilRate.objects.values_list("channel", "pence")) == {"phone": 400, "email": 150}
    assert InsightSharing.objects.get(organisation=contacts).named
    page = _text(client.get(URL + DATES))
    assert "£100.00" in page  # 25 phone contacts at £4.00
    assert "set by the council" in page
    response = client.post("/staff/insight/costs/", {"rate_phone": "-1", "rate_web": "abc"})
    body = _text(response)
    assert "The cost must be 0 or more" in body and "Enter the cost in pounds" in body
    assert CouncilRate.objects.count() == 2  # nothing changed


def test_other_councils_are_anonymous_unless_named(analyst_client, contacts, other_council):
    page = _text(analyst_client.get(URL + DATES))
    assert other_council.name not in page
    assert "Council A" in page or "Council B" in page
    InsightSharing.objects.create(organisation=other_council, named=True)
    assert other_council.name in _text(analyst_client.get(URL + DATES))


def test_service_performance_counts_closed_on_time(analyst_client, fly_tipping):
    case = submitted_case(fly_tipping)
    page = _text(analyst_client.get(URL))
    assert "Service performance" in page
    assert fly_tipping.name in page
    assert case.reference not in page  # figures, never cases


def _tables(client) -> str:
    body = _text(client.get(URL + DATES))
    return body[body.index("<h1") : body.index("Costs per transaction used")]


def test_rolled_up_figures_are_the_live_figures(analyst_client, contacts, fly_tipping):
    submitted_case(fly_tipping)  # today: always counted live
    earlier = submitted_case(fly_tipping)
    Case.objects.filter(pk=earlier.pk).update(
        created_at=datetime(2026, 6, 1, 9, tzinfo=UTC),
        closed_at=datetime(2026, 6, 3, 9, tzinfo=UTC),
        due_at=datetime(2026, 6, 10, 9, tzinfo=UTC),
        is_open=False,
    )
    before = _tables(analyst_client)
    call_command("insight_rollup")
    assert ContactDay.objects.exists() and CaseDay.objects.exists()
    assert _tables(analyst_client) == before
    rows = sorted(ContactDay.objects.values_list("day", "channel", "count"))
    call_command("insight_rollup")  # again: the same rows, nothing doubled
    assert sorted(ContactDay.objects.values_list("day", "channel", "count")) == rows
    assert _tables(analyst_client) == before


def _square(code: str, name: str, west: float) -> Area:
    ring = [[west, 51.7], [west + 0.01, 51.7], [west + 0.01, 51.71], [west, 51.71], [west, 51.7]]
    return Area.objects.create(
        type="ward",
        code=code,
        name=name,
        geometry=json.dumps({"type": "Polygon", "coordinates": [ring]}),
        min_lon=west,
        min_lat=51.7,
        max_lon=west + 0.01,
        max_lat=51.71,
    )


def test_cases_by_ward_are_a_table_and_a_map(analyst_client, fly_tipping):
    _square("E05000001", "Castle", -1.26)
    _square("E05000002", "Abbey", -1.25)
    for codes in (["E05000001"], ["E05000001"], ["E05000002"]):
        case = submitted_case(fly_tipping)
        Case.objects.filter(pk=case.pk).update(area_codes=codes)
    page = _text(analyst_client.get(URL))
    assert "Cases by ward" in page
    assert page.count('<path d="M') == 2
    assert "Castle: 2 cases opened" in page and "Abbey: 1 case opened" in page


def test_first_responses_and_tracking_are_counted(analyst_client, fly_tipping, staff_user):
    case = submitted_case(fly_tipping)
    case_transition(case=case, to_status="inspecting", actor=staff_user)
    case_transition(case=case, to_status="scheduled", actor=staff_user)  # not a first response
    Case.objects.filter(pk=case.pk).update(created_at=datetime(2026, 6, 1, 9, tzinfo=UTC))
    CaseEvent.objects.filter(case=case, kind="status_changed").update(
        created_at=datetime(2026, 6, 3, 21, tzinfo=UTC)  # two and a half days later
    )
    Client().post("/track/", {"reference": case.reference, "email": "resident@example.com"})
    Client().post("/track/", {"reference": case.reference, "email": "wrong@example.com"})
    assert TrackingDay.objects.get().lookups == 1  # only a lookup that found the case
    # To today, the day the lookup is counted in (whatever the date the test runs).
    to_today = URL + "?start=2026-04-01&period=month"
    live = _text(analyst_client.get(to_today))
    call_command("insight_rollup")
    for page in (live, _text(analyst_client.get(to_today))):
        performance = page[page.index("Service performance") :]
        assert ">2.5<" in performance  # average days to first response
        avoidable = page[page.index("Avoidable contact") :]
        row = avoidable[avoidable.index("Progress checked online") :][:300]
        assert ">1<" in row


def _performance_row(client, service_name: str) -> dict[str, str]:
    response = client.get("/staff/insight/tables/performance.csv" + DATES)
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header = rows[0]
    row = next(row for row in rows if row[0] == service_name)
    return dict(zip(header, row, strict=True))


def test_reopened_cases_are_counted_live_and_rolled_up(analyst_client, fly_tipping, staff_user):
    case = submitted_case(fly_tipping)
    case_transition(case=case, to_status="inspecting", actor=staff_user)
    case.refresh_from_db()
    Case.objects.filter(pk=case.pk).update(
        created_at=datetime(2026, 6, 1, tzinfo=UTC),
        is_open=False,
        closed_at=datetime(2026, 6, 2, tzinfo=UTC),
    )
    case.refresh_from_db()
    case_reopen(case=case, actor=staff_user)
    CaseEvent.objects.filter(case=case, kind="reopened").update(
        created_at=datetime(2026, 6, 3, 9, tzinfo=UTC)
    )
    assert _performance_row(analyst_client, fly_tipping.name)["Reopened"] == "1"
    call_command("insight_rollup")
    assert CaseDay.objects.filter(reopened=1).count() == 1
    assert _performance_row(analyst_client, fly_tipping.name)["Reopened"] == "1"


def test_a_services_own_cost_replaces_the_councils(analyst_client, contacts, fly_tipping):
    definition = copy.deepcopy(fly_tipping.published_version.definition)
    definition["cost_per_transaction"] = {"phone": 4.5}
    service_import(organisation=contacts, definition=definition)
    response = analyst_client.get("/staff/insight/tables/services.csv" + DATES)
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    # 70 online at £0.20, 25 by phone at the service's £4.50, 5 face to face
    # at £10.16: £14.00 + £112.50 + £50.80 = £177.30.
    service = next(row for row in rows if row[0] == fly_tipping.name)
    assert service[1:] == ["100", "70", "0.7", "177.3"]


def test_a_download_asks_only_for_its_own_table(
    analyst_client, contacts, django_assert_max_num_queries
):
    with django_assert_max_num_queries(30) as page:
        analyst_client.get(URL + DATES)
    with django_assert_max_num_queries(len(page.captured_queries)) as channels:
        assert analyst_client.get("/staff/insight/tables/channels.csv" + DATES).status_code == 200
    # Rates, contacts and what a signed-in request costs; not the other eight tables.
    assert len(channels.captured_queries) <= len(page.captured_queries) - 8
    _contacts(contacts, None, "letter", 50, date(2026, 7, 1))
    with django_assert_max_num_queries(len(channels.captured_queries)):
        analyst_client.get("/staff/insight/tables/channels.csv" + DATES)
