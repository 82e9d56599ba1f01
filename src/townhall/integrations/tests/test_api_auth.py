"""Who may call the REST API: a valid, unrevoked key, in either header,
within its rate limit and its scope, and only ever about its own council."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from townhall.integrations.keys import api_key_revoke
from townhall.integrations.models import ApiKey
from townhall.integrations.tests.conftest import ApiClient

pytestmark = pytest.mark.django_db


def test_either_header_carries_the_key(client, key_for, street):
    key = key_for("read")
    assert (
        client.get("/api/v1/services", headers={"Authorization": f"Bearer {key}"}).status_code
        == 200
    )
    assert (
        client.get("/api/v1/services", headers={"Authorization": f"bearer {key}"}).status_code
        == 200
    )
    assert client.get("/api/v1/services", headers={"X-Api-Key": key}).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer th_000000000000_" + "A" * 43},
        {"X-Api-Key": "nonsense"},
    ],
)
def test_no_valid_key_is_a_401_in_the_error_shape(client, headers):
    response = client.get("/api/v1/cases", headers=headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["errors"][0]["code"] == "unauthorized"


def test_a_revoked_key_stops_working_at_once(reader, street):
    assert reader.get("/services").status_code == 200
    api_key_revoke(api_key=ApiKey.objects.get())
    assert reader.get("/services").status_code == 401


def test_a_key_past_its_rate_limit_is_told_when_to_come_back(reader, settings):
    settings.API_RATE_LIMIT = 2
    assert [reader.get("/services").status_code for _ in range(2)] == [200, 200]
    response = reader.get("/services")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["errors"][0]["code"] == "rate_limited"


def test_limits_are_per_key(client, key_for, settings):
    settings.API_RATE_LIMIT = 1
    first, second = ApiClient(client, key_for()), ApiClient(client, key_for())
    assert first.get("/services").status_code == 200
    assert first.get("/services").status_code == 429
    assert second.get("/services").status_code == 200


def test_scopes_include_the_ones_before(reader, writer, admin, street):
    definition = "/services/report-street-problem/definition"
    assert [api.get(definition).status_code for api in (reader, writer, admin)] == [403, 403, 200]
    assert admin.get(definition).json()["slug"] == "report-street-problem"
    assert reader.get("/cases").status_code == 200


def test_the_key_is_never_in_a_url_and_responses_are_not_cached(reader, street):
    response = reader.get("/services")
    assert "no-store" in response["Cache-Control"]


def test_a_key_made_on_the_command_line_works(client, council, street, capsys):
    call_command("api_key_create", "--organisation", "example", "--name", "Highways")
    key = capsys.readouterr().out.strip()
    assert ApiClient(client, key).get("/services").status_code == 200
