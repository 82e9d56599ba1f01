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


def test_the_demo_place_is_a_county_two_districts_and_their_wards() -> None:
    council = OrganisationFactory.create()
    postcodes = demo_place_load(organisation=council)
    assert Area.objects.filter(type="county").count() == 1
    assert Area.objects.filter(type="district").count() == 2
    assert Area.objects.filter(type="ward").count() == 8
    assert set(Area.objects.values_list("organisation", flat=True)) == {council.pk}
    assert len(postcodes) == 32
    assert Postcode.objects.count() == 32  # the row without a location is skipped
    assert sum(p.terminated for p in postcodes) == 2


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
    assert Area.objects.filter(organisation__slug="example").count() == 11
    text = out.getvalue()
    assert "postcodes to try:" in text
    assert "ZX1 1AA  Westvale South West ward, Westvale" in text
    assert "(no longer in use)" in text
