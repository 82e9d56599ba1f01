"""Whatever a client sends, Open311 answers with a document the
specification allows, never a server error."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from townhall.integrations.tests.open311_support import validate

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
text = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)
NAMES = [
    "jurisdiction_id",
    "service_request_id",
    "service_code",
    "start_date",
    "end_date",
    "status",
    "page",
    "page_size",
    "extensions",
    "api_key",
    "lat",
    "long",
    "address_string",
    "address_id",
    "email",
    "description",
    "media_url",
    "update_id",
    "updated_datetime",
    "attribute[waste_type]",
    "attribute[size][]",
    "attribute[seen_on]",
    "attribute[",
]
params = st.dictionaries(
    st.sampled_from(NAMES) | text, text | st.lists(text, max_size=3), max_size=8
)
PATHS = st.sampled_from(
    [
        "discovery",
        "services",
        "services/report-fly-tipping",
        "service/x",
        "requests",
        "requests/EXA-2026-00000001",
        "tokens/abc",
        "servicerequestupdates",
    ]
)
SCHEMAS = {
    "discovery": "discovery.json",
    "services": "services.json",
    "services/report-fly-tipping": "service_definition.json",
    "requests": "requests.json",
    "servicerequestupdates": "updates.json",
}


def _checked(response: Any, path: str, fmt: str, method: str) -> None:
    assert response.status_code < 500, response.content
    if fmt == "xml":
        from xml.etree import ElementTree as ET

        ET.fromstring(response.content)  # noqa: S314 (our own response)
        return
    data = json.loads(response.content)
    if response.status_code >= 400:
        validate("errors.json", data)
    elif method == "GET" and path in SCHEMAS:
        validate(SCHEMAS[path], data)


@FUZZ
@given(path=PATHS, fmt=st.sampled_from(["json", "xml"]), query=params)
def test_any_query_is_answered_without_a_server_error(client, fly_tipping, path, fmt, query):
    response = client.get(f"/open311/v2/{path}.{fmt}", query)

    _checked(response, path, fmt, "GET")


@FUZZ
@given(
    path=st.sampled_from(["requests", "servicerequestupdates"]),
    fmt=st.sampled_from(["json", "xml"]),
    form=params,
    with_key=st.booleans(),
)
def test_any_form_is_answered_without_a_server_error(
    client, fly_tipping, write_key, path, fmt, form, with_key
):
    if with_key:
        form = {**form, "api_key": write_key}

    response = client.post(f"/open311/v2/{path}.{fmt}", form)

    _checked(response, path, fmt, "POST")


@FUZZ
@given(
    body=st.binary(max_size=300),
    content_type=st.sampled_from(
        [
            "multipart/form-data; boundary=xyz",
            "multipart/form-data",
            "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded; charset=utf-16",
            "text/plain",
        ]
    ),
)
def test_any_body_is_answered_without_a_server_error(client, fly_tipping, body, content_type):
    response = client.generic("POST", "/open311/v2/requests.json", body, content_type=content_type)

    _checked(response, "requests", "json", "POST")


def test_a_request_too_large_is_an_error_document(client, fly_tipping, settings):
    settings.TOWNHALL_MAX_REQUEST_BYTES = 100

    response = client.post("/open311/v2/requests.xml", {"description": "x" * 200})

    assert response.status_code == 413
    assert b"<errors><error><code>413</code>" in response.content
