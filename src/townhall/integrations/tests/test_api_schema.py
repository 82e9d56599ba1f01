"""Schemathesis against the REST API's own OpenAPI schema: generated
requests, valid and invalid, never get a server error, and every response
matches what the schema says (status, content type, body). Bounded to a few
examples per operation so it stays quick in `make test`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest
import schemathesis
from django.test.client import ClientHandler
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from townhall.integrations.api.main import api
from townhall.integrations.tests.conftest import POTHOLE

EXAMPLES_PER_OPERATION = 6


def django_wsgi(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """Townhall as a WSGI app inside the test's transaction: Django's test
    handler, which (unlike the production one) does not close the test's
    database connection at the end of each request."""
    response = ClientHandler(enforce_csrf_checks=True)(environ)
    headers = list(response.items()) + [
        ("Set-Cookie", cookie.output(header="").strip()) for cookie in response.cookies.values()
    ]
    start_response(f"{response.status_code} {response.reason_phrase}", headers)
    return [response.content]  # type: ignore[attr-defined]  # never streaming here


schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = django_wsgi


@pytest.fixture
def something_to_read(db, street, writer, settings):
    settings.API_RATE_LIMIT = 100_000
    writer.post("/cases", {"service": street.slug, "answers": POTHOLE})


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_the_api_keeps_to_its_schema(case, admin, something_to_read):
    # Every check but "a request the schema allows is accepted": a well-formed
    # request can still name a service or a cursor that does not exist.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {admin.key}"},
        excluded_checks=[positive_data_acceptance],
    )
