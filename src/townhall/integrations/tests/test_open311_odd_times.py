"""Dates at the edges of what Python and PostgreSQL hold are refused with
Open311's error document, never a 500."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "moment",
    [
        "0419-11-28T12:03:54-20:06",
        "2026-01-01T00:00:00+15:00",
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-10:00",
    ],
)
@pytest.mark.parametrize("path", ["requests.json", "servicerequestupdates.json"])
@pytest.mark.parametrize("param", ["start_date", "end_date"])
def test_a_time_no_calendar_holds_is_a_400(client, fly_tipping, moment, path, param):
    response = client.get(f"/open311/v2/{path}", {param: moment})
    assert response.status_code == 400
    assert param in response.json()[0]["description"]
