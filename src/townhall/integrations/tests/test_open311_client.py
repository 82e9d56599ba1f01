"""An independent Open311 client from PyPI (`georeport`), used unchanged,
reads a live Townhall server in JSON and in XML."""

from __future__ import annotations

import pytest
from georeport import GeoReport  # type: ignore[import-untyped]

from townhall.catalogue.models import Service
from townhall.integrations.tests.test_open311_read import report


@pytest.fixture
def live_fly_tipping(transactional_db: None, fly_tipping: Service) -> Service:
    return fly_tipping


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_georeport_reads_services_and_requests(live_server, live_fly_tipping, output_format):
    case = report(live_fly_tipping)
    client = GeoReport(
        f"{live_server.url}/open311/v2",
        jurisdiction="example",
        output_format=output_format,
    )

    services = client.get_service_list()
    definition = client.get_service_definition("report-fly-tipping")
    requests = client.get_service_requests(status="open")
    one = client.get_service_request(case.reference)

    services = services if isinstance(services, list) else [services]  # xmltodict: one is a dict
    assert [s["service_code"] for s in services] == ["report-fly-tipping"]
    assert definition["service_code"] == "report-fly-tipping"
    requests = requests if isinstance(requests, list) else [requests]
    assert [r["service_request_id"] for r in requests] == [case.reference]
    assert one["service_request_id"] == case.reference
    assert one["status"] == "open"


def test_georeport_sees_errors_as_http_errors(live_server, live_fly_tipping):
    import requests

    client = GeoReport(f"{live_server.url}/open311/v2", jurisdiction="nowhere")

    with pytest.raises(requests.HTTPError) as raised:
        client.get_service_list()

    assert raised.value.response.status_code == 404
    assert raised.value.response.json() == [
        {"code": 404, "description": "jurisdiction_id not found: nowhere"}
    ]
