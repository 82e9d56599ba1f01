"""With real ONS boundaries (2013 vintage), when the shared reference data is present."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from townhall.places.lookup import areas_at
from townhall.places.models import Area

PROJECT_DIR = Path(__file__).resolve().parents[4]
BOUNDARIES = PROJECT_DIR / ".." / "shared" / "data" / "boundaries"
OXFORDSHIRE_DISTRICTS = ["E07000177", "E07000178", "E07000179", "E07000180", "E07000181"]

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not BOUNDARIES.is_dir(), reason="the shared ONS boundary data is not present"
    ),
]


def import_areas(name: str, area_type: str) -> str:
    out = StringIO()
    call_command("import_areas", str(BOUNDARIES / name), "--type", area_type, stdout=out)
    return out.getvalue()


@pytest.fixture
def oxfordshire() -> None:
    assert "1 added" in import_areas("county-oxfordshire.geojson", "county")
    assert "5 added" in import_areas("districts-oxfordshire.geojson", "district")
    for district in OXFORDSHIRE_DISTRICTS:
        import_areas(f"wards-{district}.geojson", "ward")


def test_oxford_town_hall_is_in_oxford_city_and_oxfordshire(oxfordshire: None) -> None:
    found = {area.type: area for area in areas_at(-1.2572, 51.7517)}
    assert set(found) == {"county", "district", "ward"}
    assert (found["county"].code, found["county"].name) == ("E10000025", "Oxfordshire")
    assert (found["district"].code, found["district"].name) == ("E07000178", "Oxford")
    assert found["ward"].code.startswith("E05")


def test_every_ward_centre_is_in_exactly_one_ward_and_one_district(oxfordshire: None) -> None:
    import shapely

    wards = Area.objects.filter(type="ward")
    assert wards.count() == 137
    for ward in wards:
        point = shapely.from_geojson(ward.geometry).representative_point()
        found = areas_at(point.x, point.y)
        assert [a.type for a in found] == ["county", "district", "ward"], ward.name
        assert found[2].code == ward.code


def test_a_point_on_a_district_border_has_one_district(oxfordshire: None) -> None:
    import shapely

    districts = {
        code: shapely.from_geojson(Area.objects.get(code=code).geometry)
        for code in OXFORDSHIRE_DISTRICTS
    }
    shared = districts["E07000178"].boundary.intersection(districts["E07000179"].boundary)
    # A corner on the border of Oxford and South Oxfordshire and of no other district.
    lon, lat = next(
        (float(x), float(y))
        for x, y in shapely.get_coordinates(shared)
        if [c for c, s in districts.items() if s.covers(shapely.Point(x, y))]
        == ["E07000178", "E07000179"]
    )
    found = areas_at(lon, lat, types=["district"])
    assert [d.code for d in found] == ["E07000178"]  # the lower code of the two


def test_birmingham_wards() -> None:
    assert "40 added" in import_areas("wards-E08000025.geojson", "ward")
    assert [a.type for a in areas_at(-1.8904, 52.4862)] == ["ward"]  # the city centre


def test_wales_with_welsh_names() -> None:
    out = import_areas("wales-unitary-authorities.geojson", "unitary")
    assert "22 added" in out
    assert "Welsh names from LAD13NMW" in out
    cardiff = areas_at(-3.1791, 51.4816, types=["unitary"])  # Cardiff city centre
    assert [(a.code, a.name, a.name_cy) for a in cardiff] == [("W06000015", "Cardiff", "Caerdydd")]
