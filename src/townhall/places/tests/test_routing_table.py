"""The routing table as CSV: export and import round trip, every bad row named
by row and column, nothing half stored, a council limited to its own rows."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from townhall.places.demo import demo_place_load
from townhall.places.lookup import cache_clear
from townhall.places.models import Area, RoutingRule
from townhall.places.routing_table import (
    RoutingFileError,
    routing_export,
    routing_import,
    routing_rule_add,
    routing_rule_remove,
)
from townhall.tenancy.factories import OrganisationFactory
from townhall.tenancy.models import Team

pytestmark = pytest.mark.django_db

HEADER = "service,lgsl,area_type,area_code,council,team\n"


@pytest.fixture
def councils():
    cache_clear()
    county = OrganisationFactory.create(slug="county")
    west = OrganisationFactory.create(slug="westvale")
    east = OrganisationFactory.create(slug="eastvale")
    Team.objects.create(organisation=west, slug="waste", name="Waste")
    demo_place_load(organisation=county, districts={"Westvale": west, "Eastvale": east})
    yield county, west, east
    cache_clear()


def rows() -> list[tuple[str, int | None, str, str, str | None]]:
    return list(
        RoutingRule.objects.order_by("pk").values_list(
            "service_slug", "lgsl", "area__code", "organisation__slug", "team__slug"
        )
    )


def test_an_export_imports_back_to_the_same_table(councils):
    text = (
        HEADER
        + "report-fly-tipping,,district,E07900001,westvale,waste\n"
        + ",524,district,E07900002,eastvale,\n"
        + "report-a-pothole,,county,E10900001,county,\n"
    )
    counts = routing_import(text=text, organisation=None)
    assert (counts.added, counts.removed, counts.unchanged) == (3, 0, 0)
    exported = routing_export(
        list(RoutingRule.objects.select_related("area", "organisation", "team").order_by("pk"))
    )
    assert exported == text
    again = routing_import(text=exported, organisation=None)
    assert (again.added, again.removed, again.unchanged) == (0, 0, 3)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "report-fly-tipping,524,district,E07900001,westvale,",
            "Row 3, column service: give a service slug or an LGSL code, not both",
        ),
        (
            ",,district,E07900001,westvale,",
            "Row 3, column service: give a service slug or an LGSL code, not both",
        ),
        (
            "Report Fly Tipping,,district,E07900001,westvale,",
            "Row 3, column service: 'Report Fly Tipping' is not a service slug",
        ),
        (",five,district,E07900001,westvale,", "Row 3, column lgsl: 'five' is not an LGSL code"),
        (
            "report-fly-tipping,,ward,E07900001,westvale,",
            "Row 3, column area_code: there is no area of type 'ward' with code 'E07900001'",
        ),
        (
            "report-fly-tipping,,district,E07900001,nobody,",
            "Row 3, column council: there is no council 'nobody'",
        ),
        (
            "report-fly-tipping,,district,E07900001,eastvale,waste",
            "Row 3, column team: eastvale has no team 'waste'",
        ),
        (
            "report-a-pothole,,county,E10900001,county,",
            "Row 3, column area_code: the same service and area as row 2",
        ),
    ],
)
def test_a_bad_row_is_named_by_row_and_column_and_nothing_is_stored(councils, line, message):
    RoutingRule.objects.create(
        service_slug="report-graffiti",
        area=Area.objects.get(code="E07900001"),
        organisation=councils[1],
    )
    before = rows()
    good = "report-a-pothole,,county,E10900001,county,\n"
    with pytest.raises(RoutingFileError) as refused:
        routing_import(text=HEADER + good + line + "\n", organisation=None)
    assert message in refused.value.problems
    assert rows() == before  # the old row is still there, the good row was not added


def test_a_file_without_the_columns_says_which_are_missing(councils):
    with pytest.raises(RoutingFileError) as refused:
        routing_import(text="service,area_code\nx,y\n", organisation=None)
    assert refused.value.problems == [
        "The file needs the columns service, lgsl, area_type, area_code, council, team; "
        "it has no lgsl, area_type, council, team."
    ]


def test_a_council_imports_only_its_own_rows_and_replaces_only_them(councils):
    _county, west, east = councils
    routing_rule_add(
        organisation=east,
        area=Area.objects.get(code="E07900002"),
        service_slug="report-fly-tipping",
    )
    with pytest.raises(RoutingFileError) as refused:
        routing_import(
            text=HEADER + "report-fly-tipping,,district,E07900002,eastvale,\n", organisation=west
        )
    assert refused.value.problems == ["Row 2, column council: you may only give rows for westvale"]
    counts = routing_import(
        text=HEADER + "report-fly-tipping,,district,E07900001,westvale,waste\n", organisation=west
    )
    assert counts.added == 1
    assert rows() == [
        ("report-fly-tipping", None, "E07900002", "eastvale", None),
        ("report-fly-tipping", None, "E07900001", "westvale", "waste"),
    ]
    # an empty file removes the council's rows and no one else's
    assert routing_import(text=HEADER, organisation=west).removed == 1
    assert rows() == [("report-fly-tipping", None, "E07900002", "eastvale", None)]


def test_a_row_another_council_holds_is_refused_whole(councils):
    _county, west, east = councils
    routing_rule_add(
        organisation=east,
        area=Area.objects.get(code="E07900002"),
        service_slug="report-fly-tipping",
    )
    text = (
        HEADER
        + "report-graffiti,,district,E07900001,westvale,\n"
        + "report-fly-tipping,,district,E07900002,westvale,\n"
    )
    with pytest.raises(RoutingFileError) as refused:
        routing_import(text=text, organisation=west)
    assert "report-fly-tipping in Eastvale is already" in refused.value.problems[0]
    assert rows() == [("report-fly-tipping", None, "E07900002", "eastvale", None)]
    with pytest.raises(RoutingFileError):
        routing_rule_add(
            organisation=west,
            area=Area.objects.get(code="E07900002"),
            service_slug="report-fly-tipping",
        )


def test_a_council_removes_only_its_own_rows(councils):
    _county, west, east = councils
    rule = routing_rule_add(organisation=east, area=Area.objects.get(code="E07900002"), lgsl=524)
    assert routing_rule_remove(organisation=west, rule_id=rule.pk) is False
    assert RoutingRule.objects.filter(pk=rule.pk).exists()
    assert routing_rule_remove(organisation=east, rule_id=rule.pk) is True


def test_a_dry_run_counts_and_stores_nothing(councils):
    counts = routing_import(
        text=HEADER + "report-a-pothole,,county,E10900001,county,\n",
        organisation=None,
        dry_run=True,
    )
    assert counts.added == 1
    assert rows() == []


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=200))
def test_any_text_is_imported_or_refused_with_messages_never_an_exception(text):
    # No councils or areas: every data row must be refused, whatever the text.
    problems: list[str] = []
    try:
        counts = routing_import(text=text, organisation=None, dry_run=True)
    except RoutingFileError as refused:
        problems = refused.problems
    else:
        assert counts.added == 0
        return
    assert problems and all(isinstance(p, str) and p for p in problems)
