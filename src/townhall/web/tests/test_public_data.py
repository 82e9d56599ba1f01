"""The public performance page and open data: figures and anonymised cases
of public services, never a private service, never personal data."""

from __future__ import annotations

import csv
import io
import json

import pytest

from townhall.cases.factories import FLY_TIPPING_ANSWERS, submitted_case
from townhall.cases.models import Case, Contact
from townhall.catalogue.services import service_import
from townhall.catalogue.standard import STANDARD_DIR, load_definition_file
from townhall.insight.open_data import grid_point
from townhall.places.models import Area

EXACT = {"lon": -1.257314, "lat": 51.752219}
SECRETS = [
    "resident@example.com",
    "Jo Bloggs",
    "07700 900123",
    "Mattress dumped by my neighbour at number 12",
    "-1.257314",
    "51.752219",
    "1.25731",
    "51.75222",
]


def _with_secrets(case: Case) -> Case:
    answers = dict(case.answers)
    answers["location"] = {
        "text": "12 Castle Street",
        "how": "postcode",
        "point": EXACT,
        "areas": [],
    }
    answers["description"] = SECRETS[3]
    answers["name"] = SECRETS[1]
    answers["phone"] = SECRETS[2]
    # The point is copied onto the case's own columns too, as case_open does.
    Case.objects.filter(pk=case.pk).update(
        answers=answers,
        summary=SECRETS[3],
        area_codes=["E05000001"],
        lon=EXACT["lon"],
        lat=EXACT["lat"],
    )
    return case


@pytest.fixture
def published(fly_tipping, council):
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
    return public, Case.objects.get(pk=private.pk)


@pytest.mark.parametrize("extension", ["csv", "json", "geojson"])
def test_open_data_has_public_cases_and_nothing_personal(client, published, extension):
    public, private = published
    response = client.get(f"/open-data/cases.{extension}")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert public.reference in body
    assert "Castle Ward" in body and "E05000001" in body
    assert private.reference not in body  # anti-social behaviour is never published
    for secret in SECRETS:
        assert secret not in body, secret


def test_open_data_files_parse_and_agree(client, published):
    public, _private = published
    rows = list(
        csv.DictReader(
            io.StringIO(b"".join(client.get("/open-data/cases.csv").streaming_content).decode())
        )
    )
    items = json.loads(b"".join(client.get("/open-data/cases.json").streaming_content))
    features = json.loads(b"".join(client.get("/open-data/cases.geojson").streaming_content))
    assert [r["reference"] for r in rows] == [i["reference"] for i in items] == [public.reference]
    lon, lat = grid_point(EXACT["lon"], EXACT["lat"], 100)
    assert features["features"][0]["geometry"] == {"type": "Point", "coordinates": [lon, lat]}
    assert rows[0]["lgsl_code"] == str(items[0]["lgsl_code"])
    assert items[0]["status"] and items[0]["opened"]


def test_every_point_in_a_grid_square_is_published_the_same():
    lon, lat = grid_point(-1.25731, 51.75222, 100)
    # The square is about 0.0009 degrees tall and 0.0014 wide here.
    for d_lon, d_lat in [(0.0003, 0.0003), (-0.0003, -0.0003), (0.0006, -0.0004)]:
        assert grid_point(lon + d_lon, lat + d_lat, 100) == (lon, lat)
    assert grid_point(lon, lat + 0.0009, 100) != (lon, lat)  # the next square up
    assert abs(lat - 51.75222) < 0.0005 and abs(lon - -1.25731) < 0.0008


def test_the_catalogue_is_dcat_json_ld(client, published):
    response = client.get("/open-data/catalogue.jsonld")
    catalogue = json.loads(response.content)
    assert response["Content-Type"] == "application/ld+json"
    dataset = catalogue["dcat:dataset"][0]
    formats = {d["dct:format"] for d in dataset["dcat:distribution"]}
    assert formats == {"CSV", "JSON", "GEOJSON"}
    assert "open-government-licence" in dataset["dct:license"]["@id"]


def test_the_open_data_page_has_a_dictionary_and_licence(client, published):
    page = client.get("/open-data/").content.decode()
    assert "ward_code" in page and "Open Government Licence" in page
    assert "Report fly-tipping" in page
    assert "anti-social" not in page.lower()


def test_performance_suppresses_small_numbers(client, fly_tipping, settings):
    settings.PERFORMANCE_SMALL_NUMBER = 3
    submitted_case(fly_tipping)
    page = client.get("/performance/").content.decode()
    assert "Fewer than 3" in page
    for _ in range(3):
        submitted_case(fly_tipping, FLY_TIPPING_ANSWERS)
    page = client.get("/performance/").content.decode()
    assert "Fewer than 3" not in page
    assert "100.0%" in page  # all four made online
    assert "£0.20" in page  # online cost per transaction
    assert Contact.objects.count() == 4


def test_bad_formats_are_a_clear_404(client, published):
    response = client.get("/open-data/cases.xml")
    assert response.status_code == 404
    assert "cases.csv" in response.content.decode()


def test_the_performance_page_costs_the_same_queries_however_many_cases(
    client, fly_tipping, django_assert_max_num_queries
):
    submitted_case(fly_tipping)
    with django_assert_max_num_queries(30) as few:
        client.get("/performance/")
    for _ in range(5):
        submitted_case(fly_tipping)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/performance/")


@pytest.mark.parametrize("extension", ["csv", "geojson"])
def test_an_open_data_file_costs_the_same_queries_however_many_cases(
    client, published, fly_tipping, extension, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12) as few:
        body = b"".join(client.get(f"/open-data/cases.{extension}").streaming_content)
    assert published[0].reference.encode() in body
    for _ in range(5):
        _with_secrets(submitted_case(fly_tipping))
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = b"".join(client.get(f"/open-data/cases.{extension}").streaming_content)
    assert body.count(b"Castle Ward") == 6
