"""What machine front ends (Open311, the REST API) need of the case domain:
cases recorded against the integration that sent them, files sent in one go
and checked as the web form checks them, and status updates from other
systems mapped onto the service's workflow."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from townhall.cases.external import ExternalUpdateRefused, case_external_update
from townhall.cases.journey import AnswersRefused, case_create
from townhall.cases.models import Attachment, Case, CaseEvent, Channel, Contact, ExternalUpdate
from townhall.cases.services import case_transition
from townhall.catalogue.engine.definition import EXTERNAL_STATUSES, parse_definition
from townhall.catalogue.factories import definition_data
from townhall.catalogue.standard import standard_definitions

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
ANSWERS = {
    "waste_type": "household",
    "size": "single",
    "location": "Behind the library on Mill Lane",
    "seen_on": "2026-01-05",
    "email": "Resident@Example.org",
}


def _create(fly_tipping, **extra):
    return case_create(
        service_version=fly_tipping.published_version,
        answers=extra.pop("answers", ANSWERS),
        channel=Channel.API,
        client="Highways system",
        **extra,
    )


def test_a_case_sent_by_an_integration_records_it_on_the_contact_and_the_timeline(fly_tipping):
    case = _create(fly_tipping, media_urls=["https://photos.example/1.jpg"])

    assert case.channel == Channel.API
    contact = Contact.objects.get(case=case)
    assert (contact.channel, contact.client, contact.recorded_by) == (
        "api",
        "Highways system",
        None,
    )
    submitted = case.events.get(kind=CaseEvent.Kind.SUBMITTED)
    assert submitted.payload == {
        "client": "Highways system",
        "media_urls": ["https://photos.example/1.jpg"],
    }
    assert case.contact_email == "resident@example.org"


def test_files_sent_in_one_go_become_the_case_attachments(fly_tipping):
    photo = SimpleUploadedFile("pic.jpg", PNG, content_type="image/jpeg")

    case = _create(fly_tipping, files={"photos": [photo]})

    attachment = Attachment.objects.get(case=case)
    assert attachment.content_type == "image/png"  # from its bytes, not its name or header
    assert case.answers["photos"] == [
        {"id": str(attachment.pk), "name": "pic.jpg", "size": len(PNG), "type": "image/png"}
    ]
    assert Case.objects.get(pk=case.pk).answers["photos"][0]["id"] == str(attachment.pk)


@pytest.mark.parametrize(
    ("files", "path", "words"),
    [
        (
            {"photos": [SimpleUploadedFile("a.pdf", b"%PDF-1.4 x")]},
            "photos",
            "must be a JPG or PNG",
        ),
        ({"photos": [SimpleUploadedFile(f"{n}.png", PNG) for n in range(4)]}, "photos", "up to 3"),
        ({"email": [SimpleUploadedFile("a.png", PNG)]}, "email", "does not take files"),
        ({"nope": [SimpleUploadedFile("a.png", PNG)]}, "nope", "does not ask"),
    ],
)
def test_files_are_refused_as_the_web_form_refuses_them(fly_tipping, files, path, words):
    with pytest.raises(AnswersRefused) as refused:
        _create(fly_tipping, files=files)

    assert words in refused.value.errors[path]
    assert not Case.objects.exists()
    assert not Attachment.objects.exists()


def test_a_file_too_big_is_refused(fly_tipping, settings):
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * (10 * 1024 * 1024))

    with pytest.raises(AnswersRefused) as refused:
        _create(fly_tipping, files={"photos": [big]})

    assert "smaller than 10MB" in refused.value.errors["photos"]


def test_links_to_files_must_be_web_addresses(fly_tipping):
    with pytest.raises(AnswersRefused) as refused:
        _create(fly_tipping, media_urls=["javascript:alert(1)", "https://ok.example/a.png"])

    assert set(refused.value.errors) == {"media_url[0]"}


def test_a_machine_may_change_a_status_when_it_names_itself(fly_tipping):
    case = _create(fly_tipping)

    with pytest.raises(ValueError, match="named client"):
        case_transition(case=case, to_status="inspecting", actor=None)
    case = case_transition(case=case, to_status="inspecting", actor=None, client="Crew app")

    event = case.events.get(kind=CaseEvent.Kind.STATUS_CHANGED)
    assert (event.actor, event.payload["client"]) == (None, "Crew app")


def _update(case, status, update_id="u1", description="", **extra):
    return case_external_update(
        case=case,
        status=status,
        description=description,
        update_id=update_id,
        updated_at=None,
        client="Back office",
        **extra,
    )


def test_an_external_status_moves_the_case_through_its_workflow_and_tells_the_resident(
    fly_tipping, django_capture_on_commit_callbacks
):
    case = _create(fly_tipping)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        update = _update(case, "ACTION_SCHEDULED", description="Crew booked for Tuesday")

    case.refresh_from_db()
    assert (case.status, update.accepted) == ("scheduled", True)
    assert update.event is not None and update.event.public_message == "Crew booked for Tuesday"
    assert update.event.payload["external_status"] == "ACTION_SCHEDULED"
    assert any("Crew booked for Tuesday" in message.body for message in mail.outbox)


def test_the_same_update_id_changes_nothing_twice(fly_tipping):
    case = _create(fly_tipping)
    first = _update(case, "INVESTIGATING", update_id="77")

    again = _update(case, "INVESTIGATING", update_id="77")

    assert again.pk == first.pk
    assert case.events.filter(kind=CaseEvent.Kind.STATUS_CHANGED).count() == 1


def test_an_update_in_the_same_status_is_a_public_update(fly_tipping):
    case = _create(fly_tipping)
    _update(case, "INVESTIGATING", update_id="1")

    update = _update(case, "INVESTIGATING", update_id="2", description="Still looking")

    case.refresh_from_db()
    assert case.status == "inspecting"
    assert update.event.kind == CaseEvent.Kind.PUBLIC_UPDATE
    assert update.event.public_message == "Still looking"


@pytest.mark.parametrize(
    ("status", "words"),
    [
        ("WHATEVER", "is not a status"),
        ("DUPLICATE", "has no status DUPLICATE"),
        ("CLOSED", "has no status CLOSED"),  # cleared is FIXED: closed is not claimed as fixed
    ],
)
def test_unknown_or_unmapped_statuses_are_refused_and_recorded(fly_tipping, status, words):
    case = _create(fly_tipping)

    with pytest.raises(ExternalUpdateRefused, match=words):
        _update(case, status)

    refused = ExternalUpdate.objects.get(case=case)
    assert (refused.accepted, words in refused.refusal) == (False, True)
    case.refresh_from_db()
    assert case.status == "received"


def test_a_status_the_workflow_does_not_allow_next_is_refused(fly_tipping):
    case = _create(fly_tipping)
    _update(case, "FIXED", update_id="1")

    with pytest.raises(ExternalUpdateRefused, match="cannot move to INVESTIGATING"):
        _update(case, "INVESTIGATING", update_id="2")


def test_not_the_councils_responsibility_and_closed_not_fixed_stay_distinct(fly_tipping):
    one, two = _create(fly_tipping), _create(fly_tipping)

    _update(one, "NOT_COUNCILS_RESPONSIBILITY")
    _update(two, "NO_FURTHER_ACTION")

    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.status, two.status) == ("private_land", "not_found")
    workflow = fly_tipping.published_version.parsed.workflow
    assert workflow.external_status("private_land") == "NOT_COUNCILS_RESPONSIBILITY"
    assert workflow.external_status("not_found") == "NO_FURTHER_ACTION"
    assert workflow.external_status("cleared") == "FIXED"


def test_reopen_takes_a_closed_case_to_an_open_state_the_workflow_allows(council):
    data = definition_data()
    data["workflow"]["transitions"]["done"] = ["in_progress"]
    from townhall.catalogue.factories import service_create

    service = service_create(organisation=council, definition=data)
    assert service.published_version is not None
    case = case_create(
        service_version=service.published_version,
        answers={"name": "Ann"},
        channel=Channel.API,
        client="Back office",
    )
    _update(case, "CLOSED", update_id="1")

    _update(case, "REOPEN", update_id="2")

    case.refresh_from_db()
    assert (case.status, case.is_open) == ("in_progress", True)


def test_default_external_statuses_follow_the_states():
    workflow = parse_definition(definition_data()).workflow

    assert [workflow.external_status(s.id) for s in workflow.states] == [
        "OPEN",
        "IN_PROGRESS",
        "CLOSED",
    ]


def test_every_standard_service_maps_its_states_onto_known_statuses():
    for _path, data in standard_definitions():
        workflow = parse_definition(data).workflow
        for state in workflow.states:
            assert set(workflow.external_statuses(state)) <= set(EXTERNAL_STATUSES)
            if not state.closed:
                assert workflow.external_status(state.id) not in {"FIXED", "CLOSED"}


def test_an_unknown_external_status_in_a_definition_is_refused():
    data = definition_data()
    data["workflow"]["states"][2]["external_statuses"] = ["MENDED"]

    from townhall.catalogue.engine.definition import DefinitionError

    with pytest.raises(DefinitionError, match="external_statuses"):
        parse_definition(data)
