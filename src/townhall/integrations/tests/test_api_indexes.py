"""The case and contact lists' filters are served by indexes: on PostgreSQL
the plan of each page's query walks an index in the page's order (no sort),
so a page costs the same with a million cases as with ten."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from townhall.integrations.tests.conftest import POTHOLE

pytestmark = pytest.mark.django_db


def page_plan(api, path: str, params: dict) -> str:
    table = {"/cases": '"cases_case"', "/contacts": '"cases_contact"'}[path]
    with CaptureQueriesContext(connection) as queries:
        assert api.get(path, params).status_code == 200
    (page_query,) = [q["sql"] for q in queries.captured_queries if f"FROM {table}" in q["sql"]]
    with connection.cursor() as cursor:
        # Few rows here, so the planner would rightly read the table (or a
        # bitmap of it) and sort. Made to avoid those where it can, it only
        # still sorts when no index gives the page's order.
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute(f"EXPLAIN {page_query}")
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("path", "params", "index"),
    [
        ("/cases", {}, "cases_case_newest"),
        ("/cases", {"cursor": "CURSOR"}, "cases_case_newest"),
        ("/cases", {"service": "report-street-problem"}, "cases_case_service_newest"),
        ("/cases", {"status": "received"}, "cases_case_status_newest"),
        ("/contacts", {}, "cases_conta_organis_"),  # Django names this one itself
        ("/contacts", {"channel": "api"}, "cases_contact_channel_newest"),
    ],
)
def test_each_filter_walks_an_index_in_order(writer, street, path, params, index):
    if connection.vendor != "postgresql":
        pytest.skip("query plans are checked on PostgreSQL, the production database")
    for _ in range(3):
        writer.post("/cases", {"service": street.slug, "answers": POTHOLE})
    if params.get("cursor") == "CURSOR":
        params = {"cursor": writer.get(path, {"limit": 1}).json()["next_cursor"]}
    plan = page_plan(writer, path, params)
    assert index in plan, plan
    assert "Sort" not in plan, plan
