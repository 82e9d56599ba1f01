"""`townhall routing export|import|check`: a round trip through a file, a bad
file refused whole with its rows named, and gaps reported with a failing status."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from townhall.places.demo import demo_place_load
from townhall.places.lookup import cache_clear
from townhall.places.models import RoutingRule
from townhall.tenancy.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

ROWS = (
    "service,lgsl,area_type,area_code,council,team\n"
    "report-fly-tipping,,district,E07900001,westvale,\n"
    "report-fly-tipping,,district,E07900002,eastvale,\n"
)


@pytest.fixture
def place(council, fly_tipping):
    cache_clear()
    west = OrganisationFactory.create(slug="westvale")
    east = OrganisationFactory.create(slug="eastvale")
    demo_place_load(organisation=council, districts={"Westvale": west, "Eastvale": east})
    yield council, west, east
    cache_clear()


def run(*args: str) -> str:
    out = StringIO()
    call_command("routing", *args, stdout=out)
    return out.getvalue()


def test_import_then_export_gives_the_same_file(place, tmp_path: Path):
    source = tmp_path / "routing.csv"
    source.write_text(ROWS, encoding="utf-8")
    assert run("import", str(source), "--dry-run") == (
        "Would import: 2 added, 0 removed, 0 unchanged.\n"
    )
    assert not RoutingRule.objects.exists()
    assert run("import", str(source)) == "Imported: 2 added, 0 removed, 0 unchanged.\n"
    assert run("export") == ROWS
    assert run("export", "--council", "eastvale").splitlines()[1:] == [ROWS.splitlines()[2]]


def test_a_bad_file_is_refused_whole_with_each_row_named(place, tmp_path: Path):
    source = tmp_path / "routing.csv"
    source.write_text(ROWS + "report-fly-tipping,,district,E07999999,westvale,\n", "utf-8")
    with pytest.raises(CommandError) as refused:
        run("import", str(source))
    assert "Nothing was imported" in str(refused.value)
    assert "Row 4, column area_code: there is no area of type 'district'" in str(refused.value)
    assert not RoutingRule.objects.exists()
    with pytest.raises(CommandError, match="no council with the slug 'nobody'"):
        run("import", str(source), "--council", "nobody")
    with pytest.raises(CommandError, match="Cannot read"):
        run("import", str(tmp_path / "missing.csv"))


def test_check_reports_gaps_and_fails_until_they_are_covered(place):
    council, west, _east = place
    # Example Council (the county) offers fly-tipping: covered everywhere.
    assert run("check") == "Every area is covered for every service.\n"
    # A service only Westvale offers leaves Eastvale (and so part of the county) uncovered.
    from townhall.catalogue.services import service_import

    definition = dict(place_definition(council), slug="report-a-missed-bin-collection")
    service_import(organisation=west, definition=definition)
    out = StringIO()
    with pytest.raises(CommandError, match="2 service and area pair"):
        call_command("routing", "check", stdout=out)
    assert "report-a-missed-bin-collection\tdistrict\tE07900002\tEastvale" in out.getvalue()


def place_definition(council):
    return council.services.get(slug="report-fly-tipping").published_version.definition
