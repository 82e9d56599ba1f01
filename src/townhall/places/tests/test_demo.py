from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from townhall.places.demo import DISTRICTS, demo_place_load, demo_postcodes
from townhall.places.lookup import areas_at
from townhall.places.models import Area, Postcode
from townhall.places.postcodes import PostcodeNotFound, postcode_find
from townhall.tenancy.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_the_demo_place_is_a_county_two_districts_their_wards_and_a_neighbour() -> None:
    council = OrganisationFactory.create()
    postcodes = demo_place_load(organisation=council)
    assert Area.objects.filter(type="county").count() == 1
    assert Area.objects.filter(type="district").count() == 3  # with Northmoor, outside
    assert Area.objects.filter(type="ward").count() == 8
    assert set(Area.objects.values_list("organisation", flat=True)) == {council.pk, None}
    assert Area.objects.get(organisation=None).name == "Northmoor"
    assert len(postcodes) == 33
    assert Postcode.objects.count() == 33  # the row without a location is skipped
    assert sum(p.terminated for p in postcodes) == 2


def test_each_district_and_its_wards_can_belong_to_a_district_council() -> None:
    county, west, east = OrganisationFactory.create_batch(3)
    demo_place_load(organisation=county, districts={"Westvale": west, "Eastvale": east})
    assert Area.objects.get(type="county").organisation == county
    assert Area.objects.filter(organisation=west, type="district").get().name == "Westvale"
    assert Area.objects.filter(organisation=west, type="ward").count() == 4
    assert Area.objects.filter(organisation=east, type="ward").count() == 4


def test_every_demo_postcode_lies_in_the_areas_it_names() -> None:
    demo_place_load(organisation=OrganisationFactory.create())
    _text, postcodes = demo_postcodes()
    districts = {name: code for code, name, *_rest in DISTRICTS}
    for demo in postcodes:
        if demo.terminated:
            with pytest.raises(PostcodeNotFound, match="no longer in use"):
                postcode_find(demo.postcode)
            continue
        postcode = postcode_find(demo.postcode)
        found = {a.type: a for a in areas_at(postcode.lon, postcode.lat)}
        if not demo.ward:  # the neighbour: no county or ward of the demo's
            assert set(found) == {"district"}
            assert found["district"].name == demo.district == "Northmoor"
            continue
        assert found["county"].name == "Exampleshire"
        assert found["district"].code == districts[demo.district] == postcode.district_code
        assert found["ward"].name == demo.ward
        assert found["ward"].code == postcode.ward_code


def test_loading_the_demo_twice_changes_nothing() -> None:
    council = OrganisationFactory.create()
    demo_place_load(organisation=council)
    first = list(Area.objects.values_list("pk", "updated_at"))
    demo_place_load(organisation=council)
    assert list(Area.objects.values_list("pk", "updated_at")) == first


def test_demo_setup_loads_the_place_and_prints_postcodes_to_try() -> None:
    out = StringIO()
    call_command("demo_setup", stdout=out)
    assert Area.objects.filter(organisation__slug="example").count() == 1  # the county
    assert Area.objects.filter(organisation__slug="westvale").count() == 5  # district, 4 wards
    assert Area.objects.filter(organisation__slug="eastvale").count() == 5
    text = out.getvalue()
    assert "postcodes to try:" in text
    assert "ZX1 1AA  Westvale South West ward, Westvale" in text
    assert "(no longer in use)" in text
    assert "ZX3 1AA (Northmoor), which no demo council serves" in text


def test_in_the_demo_a_pothole_goes_to_the_county_and_bins_to_the_district() -> None:
    from townhall.catalogue.place_routing import service_at
    from townhall.tenancy.models import Site

    call_command("demo_setup", stdout=StringIO())
    site = Site.objects.get(host="127.0.0.1")
    councils = list(site.organisations.all())
    assert {c.slug for c in councils} == {"example", "westvale", "eastvale"}
    postcode = postcode_find("ZX2 1AE")  # Eastvale
    for slug, council in [
        ("report-a-pothole", "example"),
        ("report-fly-tipping", "eastvale"),
        ("report-a-missed-bin-collection", "eastvale"),
    ]:
        answer = service_at(organisations=councils, slug=slug, lon=postcode.lon, lat=postcode.lat)
        assert answer.service is not None, slug
        assert answer.service.organisation.slug == council, slug
    west = postcode_find("ZX1 1AA")
    answer = service_at(
        organisations=councils, slug="report-fly-tipping", lon=west.lon, lat=west.lat
    )
    assert answer.service is not None and answer.service.organisation.slug == "westvale"
    outside = postcode_find("ZX3 1AA")
    answer = service_at(
        organisations=councils, slug="report-a-pothole", lon=outside.lon, lat=outside.lat
    )
    assert answer.service is None and answer.contact == "the council for Northmoor"
