"""Public reports: open and recently closed cases of public services, never a
private service and never anything personal, in HTML, JSON and GeoJSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from townhall.cases.factories import submitted_case
from townhall.cases.models import Case
from townhall.catalogue.services import service_import
from townhall.catalogue.standard import STANDARD_DIR, load_definition_file
from townhall.places.models import Area
from townhall.web.tests.test_public_data import SECRETS, _with_secrets

PAGES = ["/reports/", "/reports.json", "/reports.geojson"]


@pytest.fixture
def reports(fly_tipping, council):
    Area.objects.create(
        type="ward",
        code="E05000001",
        name="Castle Ward",
        geometry="{}",
        min_lon=-2,
        min_lat=51,
        max_lon=-1,
        max_lat=52,
    )
    public = _with_secrets(submitted_case(fly_tipping))
    asb = service_import(
        organisation=council,
        definition=load_definition_file(STANDARD_DIR / "report-anti-social-behaviour.yaml"),
    ).service
    private = _with_secrets(submitted_case(fly_tipping))
    Case.objects.filter(pk=private.pk).update(service=asb, service_version=asb.published_version)
    old = submitted_case(fly_tipping)
    Case.objects.filter(pk=old.pk).update(is_open=False, closed_at=datetime(2020, 1, 1, tzinfo=UTC))
    return public, private, old


@pytest.mark.parametrize("url", PAGES)
def test_reports_are_public_and_nothing_personal(client, reports, url):
    public, private, old = reports
    body = client.get(url).content.decode()
    assert public.reference in body
    assert private.reference not in body  # anti-social behaviour is never public
    assert old.reference not in body  # closed long ago
    for secret in SECRETS:
        assert secret not in body, secret


def test_a_report_page_shows_status_and_history(client, reports):
    public, private, _old = reports
    page = client.get(f"/reports/{public.reference}/").content.decode()
    assert "Report fly-tipping" in page and "Castle Ward" in page
    assert "Received" in page
    for secret in SECRETS:
        assert secret not in page, secret
    assert client.get(f"/reports/{private.reference}/").status_code == 404


def test_reports_filter_by_service_ward_and_status(client, reports):
    public = reports[0]
    data = lambda query: json.loads(client.get("/reports.json" + query).content)["reports"]  # noqa: E731
    assert [r["reference"] for r in data("?ward=E05000001")] == [public.reference]
    assert data("?ward=E05999999") == []
    assert [r["reference"] for r in data("?status=open")] == [public.reference]
    assert data("?status=closed") == []
    assert data("?service=report-a-pothole") == []
    assert client.get("/reports.xml").status_code == 404
    assert client.get("/reports/?after=nonsense&ward=<b>&status=x").status_code == 200


def test_the_summary_is_only_an_authors_option(client, reports):
    item = json.loads(client.get("/reports.json").content)["reports"][0]
    assert item["summary"] == "Furniture or white goods"  # the option chosen, never typed words
    geo = json.loads(client.get("/reports.geojson").content)
    assert geo["features"][0]["geometry"]["type"] == "Point"


def test_the_list_has_a_map_of_the_reports(client, reports):
    page = client.get("/reports/").content.decode()
    assert page.count("<circle") == 1
    assert f'href="/reports/{reports[0].reference}/"' in page


def test_the_list_costs_the_same_queries_however_many_reports(
    client, reports, fly_tipping, django_assert_max_num_queries
):
    with django_assert_max_num_queries(30) as few:
        client.get("/reports/")
    for _ in range(5):
        submitted_case(fly_tipping)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/reports/")
