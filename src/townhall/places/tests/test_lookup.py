from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from townhall.places import geojson, lookup
from townhall.places.lookup import areas_at
from townhall.places.models import Area
from townhall.places.services import areas_import
from townhall.places.tests.conftest import collection, square

pytestmark = pytest.mark.django_db


def load(area_type: str, *features: dict[str, object], **names: str) -> None:
    document = collection(*features)
    fields = geojson.fields_detect(document["features"], area_type=area_type, **names)
    areas_import(
        area_type=area_type, records=geojson.features_read(document["features"], fields=fields)
    )


@pytest.fixture
def grid() -> None:
    """Two wards side by side in one district, and a ward of another district above them."""
    load(
        "ward",
        square("E05000002", "East", 1, 0, 2, 1),
        square("E05000001", "West", 0, 0, 1, 1),
        square("E05000003", "North", 0, 1, 2, 2),
    )
    load("district", square("E07000001", "Lower", 0, 0, 2, 1, prefix="LAD23"))
    load("district", square("E07000002", "Upper", 0, 1, 2, 2, prefix="LAD23"))


def codes(lon: float, lat: float, **kwargs: object) -> list[str]:
    return [area.code for area in areas_at(lon, lat, **kwargs)]  # type: ignore[arg-type]


def test_a_point_inside_gets_its_areas_of_every_type(grid: None) -> None:
    assert codes(0.5, 0.5) == ["E07000001", "E05000001"]
    assert codes(1.5, 0.5) == ["E07000001", "E05000002"]
    assert codes(1.5, 0.5, types=["ward"]) == ["E05000002"]


def test_a_point_outside_every_area_gets_none(grid: None) -> None:
    assert codes(5, 5) == []
    assert codes(2.5, 0.5) == []


def test_a_point_on_a_shared_border_gets_one_owner_the_lowest_code(grid: None) -> None:
    assert codes(1, 0.5, types=["ward"]) == ["E05000001"]
    # Where three wards meet, and on the border between the districts.
    assert codes(1, 1) == ["E07000001", "E05000001"]
    assert codes(0.5, 1, types=["ward"]) == ["E05000001"]
    assert codes(1.5, 1, types=["ward"]) == ["E05000002"]


def test_a_point_on_an_outer_edge_belongs_to_the_only_area_there(grid: None) -> None:
    assert codes(2, 0.5) == ["E07000001", "E05000002"]
    assert codes(0, 0) == ["E07000001", "E05000001"]


def test_a_point_in_a_hole_is_not_in_the_area() -> None:
    outer = [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]]
    hole = [[1, 1], [3, 1], [3, 3], [1, 3], [1, 1]]
    feature = square("E05000009", "Ring", 0, 0, 4, 4)
    feature["geometry"] = {"type": "Polygon", "coordinates": [outer, hole]}
    load("ward", feature)
    assert codes(2, 2) == []
    assert codes(0.5, 2) == ["E05000009"]


def test_overlapping_custom_areas_are_all_returned() -> None:
    load(
        "waste-round",
        square("R1", "Monday", 0, 0, 2, 2, prefix="x"),
        square("R2", "Tuesday", 1, 1, 3, 3, prefix="x"),
        code_field="xCD",
        name_field="xNM",
    )
    assert codes(1.5, 1.5) == ["R1", "R2"]


def test_lookups_use_one_query_once_the_shapes_are_cached(grid: None) -> None:
    areas_at(0.5, 0.5)
    with CaptureQueriesContext(connection) as queries:
        assert codes(0.5, 0.5) == ["E07000001", "E05000001"]
    assert len(queries) == 1
    lookup.cache_clear()
    with CaptureQueriesContext(connection) as queries:
        areas_at(0.5, 0.5)
    assert len(queries) == 2  # candidates, then the two shapes not yet cached


def test_an_import_in_another_process_empties_this_cache(grid: None) -> None:
    assert codes(1.5, 0.5, types=["ward"]) == ["E05000002"]
    assert lookup.cached_shape_count() == 1
    # Another process moves the East ward. Its own cache is another module
    # state, so only the version number can tell this process.
    load("ward", square("E05000002", "East", 5, 5, 6, 6))
    assert codes(1.5, 0.5, types=["ward"]) == []
    assert codes(5.5, 5.5, types=["ward"]) == ["E05000002"]


def test_a_stale_shape_is_not_used_after_the_version_changes(grid: None) -> None:
    # The cache holds East's shape; a change written without going through
    # the lookup bumps the number, and the next lookup reads the new shape.
    assert codes(1.5, 0.5, types=["ward"]) == ["E05000002"]
    east = Area.objects.get(code="E05000002")
    Area.objects.filter(pk=east.pk).update(
        geometry='{"type":"Polygon","coordinates":[[[1,0],[1.2,0],[1.2,1],[1,1],[1,0]]]}'
    )
    assert codes(1.5, 0.5, types=["ward"]) == ["E05000002"]  # no bump yet: cached shape
    from townhall.places.services import areas_version_bump

    areas_version_bump()
    assert codes(1.5, 0.5, types=["ward"]) == []
