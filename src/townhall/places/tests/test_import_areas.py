from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from townhall.places.models import Area, AreaSetVersion
from townhall.places.tests.conftest import collection, square
from townhall.tenancy.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

WriteFile = Callable[[Any], Path]


def run(path: Path, *args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_areas", str(path), *args, stdout=out)
    return out.getvalue()


def two_wards() -> dict[str, Any]:
    return collection(
        square("E05000001", "Abbey", 0, 0, 1, 1),
        square("E05000002", "Bridge", 1, 0, 2, 1),
    )


def test_import_adds_then_leaves_alone_then_changes(geojson_file: WriteFile) -> None:
    council = OrganisationFactory(slug="west")
    path = geojson_file(two_wards())
    out = run(path, "--type", "ward", "--organisation", "west")
    assert "2 added, 0 changed, 0 left alone (ward)." in out
    assert "Codes from WD23CD, names from WD23NM." in out
    abbey = Area.objects.get(type="ward", code="E05000001")
    assert (abbey.name, abbey.organisation, abbey.min_lon, abbey.max_lat) == (
        "Abbey",
        council,
        0,
        1,
    )
    assert json.loads(abbey.geometry)["type"] == "Polygon"

    assert "0 added, 0 changed, 2 left alone" in run(path, "--type", "ward")

    changed = two_wards()
    changed["features"][1]["properties"]["WD23NM"] = "Bridge and Mill"
    changed["features"].append(square("E05000003", "Castle", 2, 0, 3, 1))
    out = run(geojson_file(changed), "--type", "ward")
    assert "1 added, 1 changed, 1 left alone" in out
    bridge = Area.objects.get(code="E05000002")
    assert bridge.name == "Bridge and Mill"
    assert bridge.organisation == council  # no --organisation: the council is kept


def test_the_same_code_may_be_used_by_another_type(geojson_file: WriteFile) -> None:
    run(geojson_file(two_wards()), "--type", "ward")
    run(geojson_file(two_wards()), "--type", "waste-round")
    assert Area.objects.filter(code="E05000001").count() == 2


def test_dry_run_writes_nothing(geojson_file: WriteFile) -> None:
    out = run(geojson_file(two_wards()), "--type", "ward", "--dry-run")
    assert "Dry run, nothing was written: 2 added, 0 changed, 0 left alone" in out
    assert not Area.objects.exists()
    assert not AreaSetVersion.objects.exists()


def test_version_goes_up_only_when_something_changed(geojson_file: WriteFile) -> None:
    path = geojson_file(two_wards())
    run(path, "--type", "ward")
    assert AreaSetVersion.objects.get().number == 1
    run(path, "--type", "ward")
    assert AreaSetVersion.objects.get().number == 1


def test_one_bad_feature_means_nothing_is_stored(geojson_file: WriteFile) -> None:
    document = two_wards()
    bowtie = [[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]
    document["features"].append(
        {
            "type": "Feature",
            "properties": {"WD23CD": "E05000009", "WD23NM": "Knot"},
            "geometry": {"type": "Polygon", "coordinates": [bowtie]},
        }
    )
    with pytest.raises(CommandError) as raised:
        run(geojson_file(document), "--type", "ward")
    message = str(raised.value)
    assert "Feature 2 (E05000009 Knot) has an invalid geometry: Self-intersection" in message
    assert message.endswith("Nothing was imported.")
    assert not Area.objects.exists()


def polygon(ring: list[list[Any]]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.mark.parametrize(
    ("geometry", "reason"),
    [
        (polygon([[0, 0], [1, 0], [1, 1], [0, 1]]), "ring 1 is not closed"),
        (
            polygon([[0, 0], [1, 0], [0, 0]]),
            "ring 1 has 3 positions; a closed ring needs at least 4",
        ),
        (polygon([[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]), "Self-intersection[0.5 0.5]"),
        (
            {"type": "Point", "coordinates": [0, 0]},
            "a boundary must be a Polygon or MultiPolygon, not Point",
        ),
        (
            {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
            "a boundary must be a Polygon or MultiPolygon, not LineString",
        ),
        (None, "the feature has no geometry"),
        (
            polygon([[0, 0], [1, 0], [1, "a"], [0, 0]]),
            "ring 1 is not a list of [longitude, latitude]",
        ),
        (
            polygon([[450000, 200000], [451000, 200000], [451000, 201000], [450000, 200000]]),
            "ring 1 has positions outside longitude and latitude; is the file in British National",
        ),
        ({"type": "MultiPolygon", "coordinates": []}, "the geometry is empty"),
    ],
)
def test_invalid_geometry_is_refused_naming_feature_and_reason(
    geojson_file: WriteFile, geometry: Any, reason: str
) -> None:
    feature = {"type": "Feature", "properties": {"WD13CD": "E05000005", "WD13NM": "Marsh"}}
    feature["geometry"] = geometry
    with pytest.raises(CommandError) as raised:
        run(geojson_file(collection(feature)), "--type", "ward")
    assert f"Feature 0 (E05000005 Marsh) has an invalid geometry: {reason}" in str(raised.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "The file is not valid JSON (line 1, column 2"),
        ('{"type": "Feature"}', "The file is not a GeoJSON FeatureCollection"),
        ("[]", "The file is not a GeoJSON FeatureCollection"),
        ('{"type": "FeatureCollection", "features": []}', "The file has no features."),
        ('{"type": "FeatureCollection", "features": [3]}', "Feature 0 is not a GeoJSON feature."),
    ],
)
def test_bad_files_get_clear_messages(geojson_file: WriteFile, text: str, message: str) -> None:
    with pytest.raises(CommandError, match="Nothing was imported") as raised:
        run(geojson_file(text), "--type", "ward")
    assert message in str(raised.value)


def test_missing_code_field_is_explained(geojson_file: WriteFile) -> None:
    feature = square("X", "Y", 0, 0, 1, 1)
    feature["properties"] = {"id": "R1", "label": "Round 1"}
    path = geojson_file(collection(feature))
    with pytest.raises(CommandError) as raised:
        run(path, "--type", "waste-round")
    assert "Could not tell which property holds the area code (properties: id, label)" in str(
        raised.value
    )
    assert "--code-field" in str(raised.value)
    with pytest.raises(CommandError, match="No feature has the property ref"):
        run(path, "--type", "waste-round", "--code-field", "ref", "--name-field", "label")
    out = run(path, "--type", "waste-round", "--code-field", "id", "--name-field", "label")
    assert "1 added" in out
    assert Area.objects.get(type="waste-round").name == "Round 1"


def test_features_without_code_or_name_or_with_a_repeated_code(geojson_file: WriteFile) -> None:
    no_code = square("", "Nameless code", 0, 0, 1, 1)
    no_name = square("E05000007", "", 0, 0, 1, 1)
    first = square("E05000008", "Once", 0, 0, 1, 1)
    again = square("E05000008", "Twice", 1, 0, 2, 1)
    with pytest.raises(CommandError) as raised:
        run(geojson_file(collection(no_code, no_name, first, again)), "--type", "ward")
    message = str(raised.value)
    assert "Feature 0 (Nameless code) has no code." in message
    assert "Feature 1 (E05000007) has no name." in message
    assert "Feature 3 (E05000008 Twice) has the same code as feature 2." in message


def test_type_and_organisation_are_checked(geojson_file: WriteFile) -> None:
    path = geojson_file(two_wards())
    with pytest.raises(CommandError, match="--type 'Waste Round'"):
        run(path, "--type", "Waste Round")
    with pytest.raises(CommandError, match="No council has the slug 'nowhere'"):
        run(path, "--type", "ward", "--organisation", "nowhere")


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Cannot read"):
        run(tmp_path / "missing.geojson", "--type", "ward")


def test_welsh_names_and_the_prefix_for_the_type(geojson_file: WriteFile) -> None:
    feature = square("W06000001", "Isle of Anglesey", 0, 0, 1, 1, prefix="LAD13")
    feature["properties"]["LAD13NMW"] = "Sir Ynys Môn"
    feature["properties"]["CTY13CD"] = "W99999999"  # a second prefix: --type picks LAD
    out = run(geojson_file(collection(feature)), "--type", "unitary")
    assert "Welsh names from LAD13NMW" in out
    area = Area.objects.get()
    assert (area.code, area.name_cy) == ("W06000001", "Sir Ynys Môn")
