"""What a case creation and a page of Open311 requests cost in statements
once a process has the council's configuration in memory (core.memo): the
same rules, checked with as few round trips to the database as they need."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from townhall.cases.models import Case
from townhall.catalogue.factories import branching_definition
from townhall.catalogue.services import service_import
from townhall.core import memo
from townhall.integrations.api.cases import published_service
from townhall.integrations.tests.conftest import POTHOLE
from townhall.integrations.tests.test_open311_create import fly_tipping_post
from townhall.integrations.tests.test_open311_read import V2, report
from townhall.places.geojson import AreaRecord
from townhall.places.lookup import cache_clear
from townhall.places.services import areas_import

pytestmark = pytest.mark.django_db

CONTROL = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT")


@pytest.fixture
def remembering(settings):
    settings.CONFIG_MEMO_SECONDS = 60
    memo.forget_all()
    yield
    memo.forget_all()


def statements(queries: CaptureQueriesContext) -> list[str]:
    """Each statement sent, as its verb and table, leaving out transaction
    control. A statement that writes several rows together (core.inserts.
    insert_rows, on PostgreSQL) is "INSERT" and its tables joined by "+"."""
    found = []
    for query in queries.captured_queries:
        sql = query["sql"]
        if sql.startswith(CONTROL):
            continue
        words = sql.split()
        if words[0] == "WITH":
            tables = [words[i + 1].strip('"') for i, w in enumerate(words) if w == "INTO"]
            found.append("INSERT " + "+".join(tables))
            continue
        after = next(i for i, w in enumerate(words) if w in {"FROM", "INTO", "UPDATE"}) + 1
        found.append(words[0] + " " + words[after].split(".")[0].strip('"'))
    return found


def rows_written(*tables: str) -> list[str]:
    """How `statements` shows a case's rows written with `insert_rows`: one
    statement on PostgreSQL, one INSERT a row elsewhere."""
    if connection.vendor == "postgresql":
        return ["INSERT " + "+".join(tables)]
    return [f"INSERT {table}" for table in tables]


CASE_ROWS = ("cases_case", "cases_caseevent", "cases_contact")


def test_a_rest_creation_is_the_key_its_count_and_its_rows(writer, street, remembering):
    body = {"service": "report-street-problem", "answers": POTHOLE}
    assert writer.post("/cases", body).status_code == 201  # remembers the service

    with CaptureQueriesContext(connection) as queries:
        assert writer.post("/cases", body).status_code == 201

    assert statements(queries) == [
        "SELECT integrations_apikey",
        "INSERT core_throttle",
        # The case only while its version is still published (ADR 71), with
        # its event and contact (ADR 74).
        *rows_written(*CASE_ROWS),
    ]
    # The test runs in a transaction, so the creation's own is a savepoint here;
    # the case's INSERT has none of its own (a taken reference is drawn again
    # by rolling the whole creation back).
    assert savepoints(queries) == 1


def test_with_the_database_queue_the_acknowledgement_commits_with_the_case(
    writer, street, remembering, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    body = {"service": "report-street-problem", "answers": POTHOLE}
    assert writer.post("/cases", body).status_code == 201

    with CaptureQueriesContext(connection) as queries:
        assert writer.post("/cases", body).status_code == 201

    sent = [query["sql"].split()[0] for query in queries.captured_queries]
    assert statements(queries) == [
        "SELECT integrations_apikey",
        "INSERT core_throttle",
        # The task to dispatch the event is written with the case's rows.
        *rows_written(*CASE_ROWS, "django_tasks_database_dbtaskresult"),
    ]
    # Nothing after the creation's transaction ends (its RELEASE here).
    assert sent[-1] == "RELEASE"


def savepoints(queries: CaptureQueriesContext) -> int:
    return sum(query["sql"].startswith("SAVEPOINT") for query in queries.captured_queries)


def test_an_open311_creation_reads_the_key_and_service_once(
    client, fly_tipping, write_key, remembering
):
    assert client.post(f"{V2}/requests.json", fly_tipping_post(write_key)).status_code == 200

    with CaptureQueriesContext(connection) as queries:
        assert client.post(f"{V2}/requests.json", fly_tipping_post(write_key)).status_code == 200

    sent = statements(queries)
    # Then the places the point is in (for the case's areas and team), which
    # a REST client sends in its answers.
    assert sent[:2] == ["SELECT integrations_apikey", "INSERT core_throttle"]
    assert "SELECT catalogue_service" not in sent  # the case's INSERT checks it is published
    assert "SELECT catalogue_serviceversion" not in sent
    written = rows_written(*CASE_ROWS)
    assert sent[-len(written) :] == written
    assert savepoints(queries) == 1  # the creation's transaction, inside the test's


def test_an_open311_creation_in_a_ward_finds_its_council_and_areas_once(
    client, fly_tipping, write_key, remembering
):
    # The key is read with its council, so jurisdiction_id costs nothing more;
    # the point's areas are found once for the location answer, the check
    # that the council covers it, the team and the case's area codes.
    cache_clear()
    ward = AreaRecord(
        code="E05000001",
        name="Castle",
        name_cy="",
        geometry=json.dumps(
            {"type": "Polygon", "coordinates": [[[-1, 51], [1, 51], [1, 52], [-1, 52], [-1, 51]]]}
        ),
        bbox=(-1.0, 51.0, 1.0, 52.0),
    )
    areas_import(area_type="ward", records=[ward], organisation=fly_tipping.organisation)
    post = fly_tipping_post(write_key, jurisdiction_id="example")
    assert client.post(f"{V2}/requests.json", post).status_code == 200

    with CaptureQueriesContext(connection) as queries:
        assert client.post(f"{V2}/requests.json", post).status_code == 200

    assert statements(queries) == [
        "SELECT integrations_apikey",
        "INSERT core_throttle",
        # The areas the point is in, once (the first FROM is the subquery
        # reading the areas' version number).
        "SELECT places_areasetversion",
        "SELECT places_area",  # whether the council has areas at all (it covers the point)
        "SELECT places_routingrule",  # the routing table's rules for the areas found
        "SELECT tenancy_team",  # the team routing names
        *rows_written(*CASE_ROWS),
    ]
    assert Case.objects.latest("created_at").area_codes == ["E05000001"]
    assert savepoints(queries) == 1


def test_a_page_of_requests_is_one_query(client, fly_tipping, remembering):
    for _n in range(3):
        report(fly_tipping)
    client.get(f"{V2}/requests.json")

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{V2}/requests.json")

    assert len(response.json()) == 3
    assert statements(queries) == ["SELECT cases_case"]


@pytest.mark.parametrize(
    "path",
    ["requests.json", "requests.xml", "requests/{reference}.json", "requests/{reference}.xml"],
)
def test_requests_for_a_jurisdiction_id_are_one_query(client, fly_tipping, remembering, path):
    # The council named by jurisdiction_id comes from memory like its services.
    case = report(fly_tipping)
    url = f"{V2}/{path.format(reference=case.reference)}?jurisdiction_id=example"
    assert client.get(url).status_code == 200

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert response.status_code == 200
    assert case.reference.encode() in response.content
    assert statements(queries) == ["SELECT cases_case"]


def test_an_unknown_jurisdiction_id_is_still_a_404_with_councils_in_memory(
    client, fly_tipping, remembering
):
    assert client.get(f"{V2}/requests.json?jurisdiction_id=example").status_code == 200

    response = client.get(f"{V2}/requests.json?jurisdiction_id=nowhere")

    assert response.status_code == 404
    assert "jurisdiction_id not found: nowhere" in response.json()[0]["description"]


def test_a_service_republished_in_another_process_is_found_again(writer, street, remembering):
    stale = published_service(street.organisation, street.slug)
    newer = service_import(
        organisation=street.organisation, definition=branching_definition(summary="Changed")
    ).version
    # Another process still remembers the version published before.
    memo.remembered(("api-service", street.organisation.pk, street.slug), lambda: stale, fresh=True)

    response = writer.post("/cases", {"service": "report-street-problem", "answers": POTHOLE})

    assert response.status_code == 201, response.content
    assert Case.objects.get().service_version == newer
