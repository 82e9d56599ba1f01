"""mySociety's servicerequestupdates: a back-office system moving cases
through their workflows, and the updates listed again without personal data."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from townhall.cases.models import Case, CaseEvent, ExternalUpdate
from townhall.cases.services import case_transition
from townhall.integrations.tests.open311_support import both, json_of
from townhall.integrations.tests.test_open311_read import report

pytestmark = pytest.mark.django_db

URL = "/open311/v2/servicerequestupdates.json"


def update(key: str, case: Case, **extra: Any) -> dict[str, Any]:
    return {
        "api_key": key,
        "service_request_id": case.reference,
        "status": "ACTION_SCHEDULED",
        "update_id": "BO-1",
        "updated_datetime": "2026-11-30T09:00:00Z",
        "description": "A crew will clear it on Tuesday",
        "external_status_code": "CREW-BOOKED",
        **extra,
    }


def test_an_update_moves_the_case_and_tells_the_resident(
    client, fly_tipping, write_key, django_capture_on_commit_callbacks
):
    case = report(fly_tipping)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, update(write_key, case))

    assert response.status_code == 200, response.content
    (created,) = json_of(response, "update_created.json")
    case.refresh_from_db()
    assert case.status == "scheduled"
    event = CaseEvent.objects.get(pk=created["update_id"])
    assert event.payload["client"] == "Highways system"
    assert event.payload["external_status_code"] == "CREW-BOOKED"
    assert any("A crew will clear it on Tuesday" in m.body for m in mail.outbox)
    assert ExternalUpdate.objects.get().updated_at.isoformat() == "2026-11-30T09:00:00+00:00"


def test_a_repeated_update_changes_nothing_twice(client, fly_tipping, write_key):
    case = report(fly_tipping)

    first = client.post(URL, update(write_key, case)).json()
    again = client.post(URL, update(write_key, case)).json()

    assert first == again
    assert case.events.filter(kind=CaseEvent.Kind.STATUS_CHANGED).count() == 1


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"status": "MENDED"}, 400, "MENDED is not a status"),
        ({"status": "DUPLICATE"}, 400, "This service has no status DUPLICATE"),
        ({"status": ""}, 400, "status is required"),
        ({"update_id": ""}, 400, "update_id is required"),
        ({"service_request_id": "EXA-2026-00000000"}, 404, "service_request_id not found"),
        ({"updated_datetime": "Tuesday"}, 400, "updated_datetime must be a W3C date"),
        ({"api_key": ""}, 403, "api_key is missing or not valid"),
    ],
)
def test_bad_updates_are_refused_as_the_spec_says(
    client, fly_tipping, write_key, change, status, words
):
    case = report(fly_tipping)

    response = client.post(URL, update(write_key, case, **change))

    assert response.status_code == status
    assert any(words in e["description"] for e in json_of(response, "errors.json"))
    case.refresh_from_db()
    assert case.status == "received"


def test_a_move_the_workflow_does_not_allow_is_refused_and_recorded(client, fly_tipping, write_key):
    case = report(fly_tipping)
    client.post(URL, update(write_key, case, status="FIXED", update_id="1"))

    response = client.post(URL, update(write_key, case, status="INVESTIGATING", update_id="2"))

    assert response.status_code == 400
    assert "cannot move to INVESTIGATING" in response.json()[0]["description"]
    assert ExternalUpdate.objects.filter(accepted=False, update_id="2").exists()


def test_updates_are_listed_with_their_statuses_and_no_personal_text(
    client, fly_tipping, write_key, staff_user
):
    case = report(fly_tipping)
    case_transition(
        case=case, to_status="inspecting", actor=staff_user, public_message="Dear Ann Smith"
    )
    client.post(URL, update(write_key, case, status="FIXED", description="Gone, thanks Ann"))

    data = both(client, "/open311/v2/servicerequestupdates", "updates.json")

    assert [(u["service_request_id"], u["status"]) for u in data] == [
        (case.reference, "INVESTIGATING"),
        (case.reference, "FIXED"),
    ]
    assert data[1]["external_status_code"] == "CREW-BOOKED"
    assert "Ann" not in str(data)


def test_updates_between_dates(client, fly_tipping, write_key):
    case = report(fly_tipping)
    client.post(URL, update(write_key, case))

    data = both(
        client,
        "/open311/v2/servicerequestupdates",
        "updates.json",
        start_date="2020-01-01T00:00:00Z",
        end_date="2020-02-01T00:00:00Z",
    )

    assert data == []
