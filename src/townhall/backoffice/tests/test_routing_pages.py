"""The routing table's pages: a council sees and changes only its own rows,
imports all or nothing with every bad row named, exports CSV, sees its gaps;
the installation-wide view only for who may see it. The case page suggests
the council the table gives a case to."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission as DjangoPermission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from townhall.cases.factories import submitted_case
from townhall.catalogue.services import service_import
from townhall.places.demo import demo_place_load
from townhall.places.lookup import cache_clear
from townhall.places.models import Area, RoutingRule
from townhall.tenancy.factories import MembershipFactory
from townhall.tenancy.models import Site, Team
from townhall.testing.sign_in import sign_in

HEADER = "service,lgsl,area_type,area_code,council,team\n"


@pytest.fixture
def place(council, other_council, fly_tipping):
    """Example Council is the county; Other Council holds Eastvale."""
    cache_clear()
    demo_place_load(organisation=council, districts={"Eastvale": other_council})
    Team.objects.create(organisation=council, slug="street-scene", name="Street scene")
    RoutingRule.objects.create(
        service_slug="report-fly-tipping",
        area=Area.objects.get(code="E07900002"),
        organisation=other_council,
    )
    yield council, other_council
    cache_clear()


def designer(client, council, role="service_designer"):
    user = MembershipFactory(organisation=council, role=role, user__password="!").user
    sign_in(client, user)
    return user


def csv_file(text: str, name: str = "routing.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), "text/csv")


def test_the_list_shows_only_the_councils_own_rows(client, place):
    designer(client, place[0])
    page = client.get("/staff/routing/").content.decode()
    assert "No rows yet." in page
    assert "Eastvale" not in page


def test_adding_and_removing_a_row(client, place):
    council, other = place
    designer(client, council)
    response = client.post(
        "/staff/routing/add/",
        {
            "service": "report-fly-tipping",
            "area_type": "district",
            "area_code": "E07900001",
            "team": "street-scene",
        },
    )
    assert response.status_code == 302
    rule = RoutingRule.objects.get(organisation=council)
    assert (rule.area.code, rule.team.slug) == ("E07900001", "street-scene")
    page = client.get("/staff/routing/").content.decode()
    assert "Westvale" in page and "Street scene" in page
    # another council's row is not removed through ours
    theirs = RoutingRule.objects.get(organisation=other)
    client.post(f"/staff/routing/{theirs.pk}/remove/")
    assert RoutingRule.objects.filter(pk=theirs.pk).exists()
    client.post(f"/staff/routing/{rule.pk}/remove/")
    assert not RoutingRule.objects.filter(pk=rule.pk).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"area_type": "district", "area_code": "E07900001"}, "Choose a service or enter an LGSL"),
        (
            {"service": "report-fly-tipping", "area_type": "district", "area_code": "E0799"},
            "There is no area of that type with that code",
        ),
        (
            {"service": "report-fly-tipping", "area_type": "district", "area_code": "E07900002"},
            "Eastvale already has a row for this service, naming Other Council.",
        ),
        (
            {"lgsl": "five", "area_type": "district", "area_code": "E07900001"},
            "Enter the LGSL code as a whole number",
        ),
    ],
)
def test_a_bad_row_is_refused_with_a_message(client, place, data, message):
    designer(client, place[0])
    response = client.post("/staff/routing/add/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert RoutingRule.objects.count() == 1


def test_importing_a_file_replaces_the_councils_rows_or_changes_nothing(client, place):
    council, _other = place
    designer(client, council)
    bad = HEADER + "report-fly-tipping,,district,E07900001,example,\nx,,county,E1,example,\n"
    response = client.post("/staff/routing/import/", {"file": csv_file(bad)})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was changed" in body
    assert "Row 3, column area_code: there is no area of type" in body
    assert RoutingRule.objects.count() == 1
    theirs = HEADER + "report-fly-tipping,,district,E07900001,other,\n"
    body = client.post("/staff/routing/import/", {"file": csv_file(theirs)}).content.decode()
    assert "Row 2, column council: you may only give rows for example" in body
    good = HEADER + "report-fly-tipping,,district,E07900001,example,street-scene\n"
    response = client.post("/staff/routing/import/", {"file": csv_file(good)})
    assert response.status_code == 302
    assert RoutingRule.objects.filter(organisation=council).count() == 1
    exported = client.get("/staff/routing/routing.csv")
    assert exported["Content-Type"] == "text/csv; charset=utf-8"
    assert exported.content.decode() == good  # only the council's own rows
    not_csv = client.post("/staff/routing/import/", {"file": csv_file(good, "routing.xlsx")})
    assert "The selected file must be a CSV file" in not_csv.content.decode()


def test_the_gaps_page_names_services_with_areas_nobody_covers(
    client, council, other_council, fly_tipping
):
    """Example Council is Westvale; Other Council, on the same site, is the
    county and Eastvale, and does not offer fly-tipping."""
    cache_clear()
    demo_place_load(organisation=other_council, districts={"Westvale": council})
    Site.objects.get(host="testserver").organisations.add(other_council)
    designer(client, council)
    page = client.get("/staff/routing/gaps/").content.decode()
    assert "2 gaps" in page
    assert "Report fly-tipping" in page and "E07900002" in page and "E10900001" in page
    assert "E07900001" not in page  # Westvale is Example Council's own
    RoutingRule.objects.create(
        service_slug="report-fly-tipping",
        area=Area.objects.get(code="E07900002"),
        organisation=other_council,
    )
    page = client.get("/staff/routing/gaps/").content.decode()
    assert "Every area is covered for every service." in page
    cache_clear()


def test_every_councils_rows_only_for_who_may_see_them(client, place):
    council, _other = place
    user = designer(client, council, role="organisation_admin")
    assert client.get("/staff/routing/?scope=all").status_code == 403
    assert client.get("/staff/routing/routing.csv?scope=all").status_code == 403
    user.user_permissions.add(DjangoPermission.objects.get(codename="view_every_council_routing"))
    page = client.get("/staff/routing/?scope=all").content.decode()
    assert "Eastvale" in page and "Other Council" in page
    assert "other" in client.get("/staff/routing/routing.csv?scope=all").content.decode()


def test_the_case_page_suggests_the_council_the_table_gives_the_place(
    client, place, staff_user, fly_tipping
):
    _council, other = place
    service_import(organisation=other, definition=fly_tipping.published_version.definition)
    Site.objects.get(host="testserver").organisations.add(other)
    case = submitted_case(fly_tipping)
    case.area_codes = ["E05900101", "E07900002", "E10900001"]  # Eastvale
    case.save(update_fields=["area_codes"])
    sign_in(client, staff_user)
    page = client.get(f"/staff/cases/{case.reference}/").content.decode()
    assert "The routing table gives this place and service to Other Council." in page
    assert '<option value="other" selected>' in page


def test_the_list_costs_the_same_queries_however_many_rows(client, place):
    council, _other = place
    designer(client, council)
    team = Team.objects.get(organisation=council, slug="street-scene")
    wards = list(Area.objects.filter(type="ward").order_by("code"))

    def rows(count: int) -> None:
        for area in wards[:count]:
            RoutingRule.objects.get_or_create(
                service_slug="report-fly-tipping", area=area, organisation=council, team=team
            )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/staff/routing/").status_code == 200
        return len(captured)

    rows(1)
    one = queries()
    rows(4)
    assert RoutingRule.objects.filter(organisation=council).count() == 4
    assert queries() == one
