"""Moving a case through its workflow and adding notes through the API,
recorded as the key's integration did them."""

from __future__ import annotations

import pytest

from townhall.cases.models import Case, CaseEvent, Contact
from townhall.cases.services import case_add_note
from townhall.integrations.tests.conftest import POTHOLE, ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def reference(writer, street) -> str:
    return writer.post("/cases", {"service": street.slug, "answers": POTHOLE}).json()["reference"]


def test_the_case_and_its_contact_name_the_integration(writer, reference):
    assert Contact.objects.get().client == "write system"
    contact = writer.get("/contacts").json()["results"][0]
    assert (contact["channel"], contact["client"], contact["case"]) == (
        "api",
        "write system",
        reference,
    )


def test_a_case_moves_as_its_workflow_allows(writer, reference):
    response = writer.post(
        f"/cases/{reference}/transitions",
        {"status": "done", "public_message": "Cleared this morning."},
    )
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["is_open"]) == ("done", False)
    case = Case.objects.get()
    assert (case.status, case.is_open) == ("done", False)
    event = case.events.get(kind=CaseEvent.Kind.STATUS_CHANGED)
    assert (event.actor, event.payload["client"]) == (None, "write system")
    assert event.public_message == "Cleared this morning."


def test_a_move_the_workflow_does_not_allow_is_refused(writer, reference):
    writer.post(f"/cases/{reference}/transitions", {"status": "done"})
    for status in ["received", "no-such-status"]:
        response = writer.post(f"/cases/{reference}/transitions", {"status": status})
        assert response.status_code == 422
        (error,) = response.json()["errors"]
        assert (error["code"], error["path"]) == ("transition_refused", "status")
    assert Case.objects.get().status == "done"


def test_a_retried_transition_is_done_once(writer, reference):
    body = {"status": "in_progress"}
    first = writer.post(f"/cases/{reference}/transitions", body, **{"Idempotency-Key": "t1"})
    again = writer.post(f"/cases/{reference}/transitions", body, **{"Idempotency-Key": "t1"})
    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert Case.objects.get().events.filter(kind=CaseEvent.Kind.STATUS_CHANGED).count() == 1


def test_notes_are_added_and_listed_on_the_timeline(writer, reference):
    response = writer.post(f"/cases/{reference}/notes", {"note": "Crew booked for Tuesday."})
    assert response.status_code == 201, response.content
    assert response.json()["internal_note"] == "Crew booked for Tuesday."
    events = writer.get(f"/cases/{reference}/events").json()["results"]
    assert [(e["kind"], e["client"], e["by_staff"]) for e in events] == [
        ("submitted", "write system", False),
        ("note", "write system", False),
    ]


@pytest.mark.parametrize("body", [{}, {"note": ""}, {"note": "x" * 5001}, {"note": "a\x00b"}])
def test_an_empty_or_unstorable_note_is_refused(writer, reference, body):
    response = writer.post(f"/cases/{reference}/notes", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "note"


def test_reading_keys_cannot_change_cases_and_other_councils_cannot_see_them(
    reader, reference, client, key_for, other_council
):
    assert reader.post(f"/cases/{reference}/notes", {"note": "x"}).status_code == 403
    assert reader.post(f"/cases/{reference}/transitions", {"status": "done"}).status_code == 403
    theirs = ApiClient(client, key_for("admin", other_council))
    assert theirs.post(f"/cases/{reference}/notes", {"note": "x"}).status_code == 404
    assert theirs.get(f"/cases/{reference}/events").status_code == 404
    assert Case.objects.get().status == "received"


def test_a_note_is_the_casework_services_note_recorded_for_the_client(writer, reference):
    writer.post(f"/cases/{reference}/notes", {"note": "Crew booked for Tuesday."})

    note = Case.objects.get().events.get(kind=CaseEvent.Kind.NOTE)
    assert (note.actor, note.internal_note, note.payload) == (
        None,
        "Crew booked for Tuesday.",
        {"client": "write system"},
    )


def test_a_note_needs_a_member_of_staff_or_a_client(reference):
    with pytest.raises(ValueError, match="member of staff or a named client"):
        case_add_note(case=Case.objects.get(), note="Anonymous")
