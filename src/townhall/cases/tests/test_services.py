"""The case lifecycle: drafts, submission (exactly once) and workflow-checked status changes."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from townhall.cases.factories import FLY_TIPPING_ANSWERS, submitted_case
from townhall.cases.models import Attachment, Case, CaseEvent, Channel, Draft
from townhall.cases.services import (
    SubmissionRefused,
    TransitionRefused,
    case_add_note,
    case_submit,
    case_transition,
    draft_save_answers,
    draft_start,
)
from townhall.catalogue.engine.inputs import parse_input
from townhall.catalogue.factories import definition_data, page_data, question_data, service_create
from townhall.catalogue.models import Service
from townhall.catalogue.services import service_import
from townhall.notifications.models import Delivery

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


def draft_for(service, answers=None, *, channel=Channel.WEB) -> Draft:
    draft = draft_start(service_version=service.published_version, channel=channel)
    if answers is not None:
        draft = draft_save_answers(draft=draft, answers=answers)
    return draft


def photo_answer(service, *uploads):
    question = service.published_version.parsed.question("photos")
    return parse_input(question, {}, MultiValueDict({"photos": list(uploads)}))


@pytest.fixture
def case(fly_tipping, django_capture_on_commit_callbacks):
    """A submitted fly-tipping report, its acknowledgement already sent."""
    with django_capture_on_commit_callbacks(execute=True):
        case = submitted_case(fly_tipping)
    mail.outbox.clear()
    return case


# ---- drafts -------------------------------------------------------------------------


def test_a_draft_starts_empty_on_the_published_version(fly_tipping):
    draft = draft_start(service_version=fly_tipping.published_version)
    assert draft.answers == {}
    assert draft.channel == Channel.WEB
    assert draft.service_version == fly_tipping.published_version
    assert draft.case is None


def test_answers_saved_page_by_page_are_merged(fly_tipping):
    draft = draft_for(fly_tipping, {"waste_type": "tyres"})
    draft = draft_save_answers(draft=draft, answers={"size": "single"})
    draft = draft_save_answers(draft=draft, answers={"waste_type": "building"})
    assert Draft.objects.get(pk=draft.pk).answers == {"waste_type": "building", "size": "single"}


def test_answers_left_behind_by_a_changed_choice_are_not_kept(street_service):
    draft = draft_for(street_service, {"problem": "pothole"})
    draft = draft_save_answers(draft=draft, answers={"depth": 30})
    draft = draft_save_answers(draft=draft, answers={"problem": "street_light"})
    assert Draft.objects.get(pk=draft.pk).answers == {"problem": "street_light"}


def test_answers_to_questions_the_service_does_not_ask_are_not_kept(fly_tipping):
    draft = draft_for(fly_tipping, {"waste_type": "tyres", "is_staff": True})
    assert draft.answers == {"waste_type": "tyres"}


def test_an_uploaded_photo_is_stored_as_an_attachment(fly_tipping):
    draft = draft_for(fly_tipping)
    upload = SimpleUploadedFile("my photo.png", PNG, content_type="text/plain")
    draft = draft_save_answers(draft=draft, answers={"photos": photo_answer(fly_tipping, upload)})

    (record,) = draft.answers["photos"]
    attachment = Attachment.objects.get(pk=record["id"])
    assert record == {"id": str(attachment.pk), "name": "my photo.png", "size": len(PNG),
                      "type": "image/png"}  # fmt: skip
    assert attachment.draft == draft
    assert attachment.case is None
    # The type is what the bytes say, and the resident's file name never reaches the disk.
    assert attachment.content_type == "image/png"
    assert "photo" not in attachment.file.name
    with attachment.file.open("rb") as stored:
        assert stored.read() == PNG


def test_a_submitted_draft_is_frozen(case):
    draft = case.draft
    draft_save_answers(draft=draft, answers={"waste_type": "tyres"})
    assert Draft.objects.get(pk=draft.pk).answers["waste_type"] == "furniture"
    assert Case.objects.get(pk=case.pk).answers["waste_type"] == "furniture"


# ---- submitting ------------------------------------------------------------------


def test_submitting_makes_a_case_from_the_answers(fly_tipping):
    draft = draft_for(fly_tipping, FLY_TIPPING_ANSWERS)
    case = case_submit(draft=draft)

    assert re.fullmatch(rf"EXA-{timezone.localdate().year}-\d{{8}}", case.reference)
    assert case.organisation == fly_tipping.organisation
    assert case.service == fly_tipping
    assert case.service_version == fly_tipping.published_version
    assert case.status == "received"
    assert case.is_open is True
    assert case.channel == Channel.WEB
    assert case.answers == FLY_TIPPING_ANSWERS
    assert case.summary == "Furniture or white goods"
    assert case.contact_email == "resident@example.com"
    assert case.created_by is None
    assert Draft.objects.get(pk=draft.pk).case == case
    (event,) = case.events.all()
    assert (event.kind, event.to_status, event.actor) == (
        CaseEvent.Kind.SUBMITTED,
        "received",
        None,
    )


def test_submitting_acknowledges_by_email_after_commit(
    fly_tipping, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = case_submit(draft=draft_for(fly_tipping, FLY_TIPPING_ANSWERS))

    (message,) = mail.outbox
    assert message.to == ["resident@example.com"]
    assert message.subject == f"Fly-tipping report received: {case.reference}"
    assert "Thank you for reporting fly-tipping to Example Council." in message.body
    assert f"Your reference is {case.reference}." in message.body
    assert "/track/" in message.body
    email = Delivery.objects.get(case=case)
    assert (email.status, email.attempts) == (Delivery.Status.SENT, 1)


def test_submitting_the_same_draft_twice_returns_the_same_case(
    fly_tipping, django_capture_on_commit_callbacks
):
    draft = draft_for(fly_tipping, FLY_TIPPING_ANSWERS)
    with django_capture_on_commit_callbacks(execute=True):
        first = case_submit(draft=draft)
        second = case_submit(draft=draft)
        third = case_submit(draft=Draft.objects.get(pk=draft.pk))

    assert first.pk == second.pk == third.pk
    assert second.reference == first.reference
    assert Case.objects.count() == 1
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.SUBMITTED).count() == 1
    assert Delivery.objects.count() == 1
    assert len(mail.outbox) == 1


def test_incomplete_answers_are_refused_and_nothing_is_written(
    fly_tipping, django_capture_on_commit_callbacks
):
    draft = draft_for(fly_tipping, {"waste_type": "tyres", "size": "single"})
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(SubmissionRefused) as caught,
    ):
        case_submit(draft=draft)

    assert set(caught.value.errors) == {"location", "seen_on", "email"}
    assert caught.value.errors["email"] == "Enter your email address"
    assert str(caught.value) == "3 answers need attention"
    assert not Case.objects.exists()
    assert not Delivery.objects.exists()
    assert mail.outbox == []
    assert Draft.objects.get(pk=draft.pk).case is None


def test_answers_that_break_the_rules_are_refused(fly_tipping):
    future = (timezone.localdate().replace(year=timezone.localdate().year + 1)).isoformat()
    draft = draft_for(fly_tipping, {**FLY_TIPPING_ANSWERS, "seen_on": future})
    with pytest.raises(SubmissionRefused) as caught:
        case_submit(draft=draft)
    assert caught.value.errors == {
        "seen_on": "The date you saw the fly-tipping must be today or in the past"
    }


def test_a_refused_draft_can_be_completed_and_submitted(fly_tipping):
    draft = draft_for(fly_tipping, {"waste_type": "tyres"})
    with pytest.raises(SubmissionRefused):
        case_submit(draft=draft)
    draft_save_answers(draft=draft, answers=FLY_TIPPING_ANSWERS)
    assert case_submit(draft=draft).answers == FLY_TIPPING_ANSWERS


def test_only_answers_on_the_route_are_submitted(street_service):
    draft = draft_for(street_service, {"problem": "pothole", "depth": 30})
    # Stored answers from before the route changed are left out (and not checked).
    Draft.objects.filter(pk=draft.pk).update(
        answers={"problem": "other", "depth": 9999, "details": "Graffiti on the bridge"}
    )
    case = case_submit(draft=draft)
    assert case.answers == {"problem": "other", "details": "Graffiti on the bridge"}
    assert case.summary == "Other"


def test_a_case_without_a_contact_email_sends_nothing(
    street_service, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = case_submit(draft=draft_for(street_service, {"problem": "pothole", "depth": 3}))
    assert case.contact_email == ""
    assert not Delivery.objects.exists()
    assert mail.outbox == []


def test_a_case_taken_by_staff_records_who_and_how(fly_tipping, staff_user):
    draft = draft_for(fly_tipping, FLY_TIPPING_ANSWERS, channel=Channel.PHONE)
    case = case_submit(draft=draft, actor=staff_user)
    assert case.channel == Channel.PHONE
    assert case.created_by == staff_user
    assert case.events.get().actor == staff_user


@pytest.mark.parametrize("staff", [False, True])
def test_a_declaration_must_be_confirmed_whoever_submits(council, staff_user, staff):
    data = definition_data(page_data("name", question_data()), declaration="All true.")
    service = service_create(organisation=council, definition=data)
    draft = draft_for(service, {"name": "Ada"})
    actor = staff_user if staff else None
    with pytest.raises(SubmissionRefused) as caught:
        case_submit(draft=draft, actor=actor, contact_required=not staff)
    assert caught.value.errors == {
        "declaration": "Confirm the declaration to send your application"
    }
    assert not Case.objects.exists()
    case = case_submit(draft=draft, actor=actor, contact_required=not staff, declaration=True)
    assert case.created_by == actor


def test_uploaded_photos_move_to_the_case(fly_tipping):
    draft = draft_for(fly_tipping)
    photos = photo_answer(fly_tipping, SimpleUploadedFile("a.png", PNG))
    draft = draft_save_answers(draft=draft, answers={**FLY_TIPPING_ANSWERS, "photos": photos})
    case = case_submit(draft=draft)
    (record,) = case.answers["photos"]
    assert [str(a.pk) for a in case.attachments.all()] == [record["id"]]


def test_a_photo_the_resident_replaced_is_not_kept_with_the_case(fly_tipping):
    draft = draft_for(fly_tipping)
    first = photo_answer(fly_tipping, SimpleUploadedFile("wrong.png", PNG))
    draft = draft_save_answers(draft=draft, answers={**FLY_TIPPING_ANSWERS, "photos": first})
    second = photo_answer(fly_tipping, SimpleUploadedFile("right.png", PNG))
    draft = draft_save_answers(draft=draft, answers={"photos": second})

    case = case_submit(draft=draft)
    assert [a.filename for a in case.attachments.all()] == ["right.png"]


# ---- references -------------------------------------------------------------------


def test_references_are_random_and_unique(fly_tipping):
    references = {submitted_case(fly_tipping).reference for _ in range(5)}
    assert len(references) == 5
    year = timezone.localdate().year
    assert all(re.fullmatch(rf"EXA-{year}-\d{{8}}", ref) for ref in references)


def test_each_council_uses_its_own_prefix(other_fly_tipping):
    assert submitted_case(other_fly_tipping).reference.startswith("OTH-")


def test_a_reference_already_taken_is_drawn_again(fly_tipping, case):
    draft = draft_for(fly_tipping, FLY_TIPPING_ANSWERS)
    fresh = "EXA-2026-00000001" if case.reference != "EXA-2026-00000001" else "EXA-2026-00000002"
    with mock.patch(
        "townhall.cases.services.new_reference", side_effect=[case.reference, fresh]
    ) as draw:
        second = case_submit(draft=draft)

    assert second.reference == fresh
    assert draw.call_args_list == [mock.call("EXA"), mock.call("EXA")]
    assert Case.objects.get(pk=case.pk).answers == case.answers
    assert Case.objects.count() == 2
    assert second.events.count() == 1


def test_submission_gives_up_if_no_free_reference_is_found(fly_tipping, case):
    draft = draft_for(fly_tipping, FLY_TIPPING_ANSWERS)
    with (
        mock.patch("townhall.cases.services.new_reference", return_value=case.reference) as draw,
        pytest.raises(RuntimeError, match="could not find a free case reference"),
    ):
        case_submit(draft=draft)
    assert draw.call_count == 10
    assert Case.objects.count() == 1
    assert Draft.objects.get(pk=draft.pk).case is None
    assert Delivery.objects.filter(case__isnull=True).count() == 0


# ---- status changes ---------------------------------------------------------------------


def test_a_transition_moves_the_case_and_writes_the_timeline(
    case, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        moved = case_transition(
            case=case,
            to_status="inspecting",
            actor=staff_user,
            public_message="An officer will visit today.",
            internal_note="Caller sounded worried about the smell.",
        )

    stored = Case.objects.get(pk=case.pk)
    assert stored.status == moved.status == "inspecting"
    assert stored.is_open is True
    event = stored.events.get(kind=CaseEvent.Kind.STATUS_CHANGED)
    assert (event.from_status, event.to_status, event.actor) == (
        "received",
        "inspecting",
        staff_user,
    )
    assert event.public_message == "An officer will visit today."
    assert event.internal_note == "Caller sounded worried about the smell."


def test_a_transition_tells_the_resident_but_never_the_internal_note(
    case, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(
            case=case,
            to_status="inspecting",
            actor=staff_user,
            public_message="An officer will visit today.",
            internal_note="Caller sounded worried.",
        )

    (message,) = mail.outbox
    assert message.to == ["resident@example.com"]
    assert message.subject == f"Report fly-tipping {case.reference}: Being looked into"
    assert "Status: Being looked into" in message.body
    assert "An officer will visit today." in message.body
    assert "worried" not in message.body + message.subject
    assert Delivery.objects.filter(case=case).count() == 2


def test_a_closing_state_closes_the_case_and_sends_its_own_message(
    case, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(
            case=case, to_status="cleared", actor=staff_user, public_message="All gone."
        )

    assert Case.objects.get(pk=case.pk).is_open is False
    (message,) = mail.outbox
    assert message.subject == f"Your fly-tipping report {case.reference} has been cleared"
    assert f"(reference {case.reference}) has been cleared" in message.body
    assert "All gone." in message.body


@pytest.mark.parametrize("to_status", ["received", "bogus", ""])
def test_a_transition_the_workflow_does_not_allow_is_refused(
    case, staff_user, to_status, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(TransitionRefused) as caught,
    ):
        case_transition(case=case, to_status=to_status, actor=staff_user)

    assert str(caught.value) == f"A case that is received cannot move to {to_status!r}"
    assert Case.objects.get(pk=case.pk).status == "received"
    assert not case.events.filter(kind=CaseEvent.Kind.STATUS_CHANGED).exists()
    assert Delivery.objects.filter(case=case).count() == 1
    assert mail.outbox == []


def test_a_closed_case_cannot_move(case, staff_user):
    case_transition(case=case, to_status="cleared", actor=staff_user)
    with pytest.raises(TransitionRefused, match="A case that is cleared cannot move to 'received'"):
        case_transition(case=case, to_status="received", actor=staff_user)


def test_a_case_follows_the_workflow_of_the_version_it_was_made_under(case, staff_user):
    definition = dict(case.service_version.definition)
    definition["workflow"] = {**definition["workflow"], "transitions": {"received": ["cleared"]}}
    service_import(organisation=case.organisation, definition=definition)

    case_transition(case=case, to_status="inspecting", actor=staff_user)
    assert Case.objects.get(pk=case.pk).status == "inspecting"
    newer = submitted_case(Service.objects.get(pk=case.service_id))
    assert newer.service_version.number == 2
    with pytest.raises(TransitionRefused):
        case_transition(case=newer, to_status="inspecting", actor=staff_user)


def test_the_services_update_message_is_used_when_a_state_has_none(
    council, staff_user, django_capture_on_commit_callbacks
):
    data = definition_data(
        page_data("contact", question_data("email", "email", "Email", contact="email"))
    )
    data["workflow"]["update_message"] = {
        "subject": "((council_name)): ((reference)) is now ((status))",
        "body": "((public_message))",
    }
    service = service_create(organisation=council, definition=data)
    with django_capture_on_commit_callbacks(execute=True):
        case = case_submit(draft=draft_for(service, {"email": "ada@example.com"}))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(case=case, to_status="in_progress", actor=staff_user, public_message="Hi")

    (message,) = mail.outbox
    assert message.subject == f"Example Council: {case.reference} is now Being dealt with"
    assert message.body.partition("\n\n")[0] == "Hi"
    assert "/updates/stop/" in message.body.partition("\n\n")[2]


def test_no_email_is_sent_for_a_transition_that_rolled_back(
    case, staff_user, django_capture_on_commit_callbacks
):
    def close_then_fail() -> None:
        with transaction.atomic():
            case_transition(case=case, to_status="cleared", actor=staff_user)
            raise RuntimeError("the rest of the request failed")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        close_then_fail()
    assert callbacks == []
    assert mail.outbox == []
    assert Case.objects.get(pk=case.pk).status == "received"
    assert Delivery.objects.filter(case=case).count() == 1


def test_the_resident_is_emailed_only_once_the_change_is_committed(
    case, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case_transition(case=case, to_status="inspecting", actor=staff_user)
    assert len(callbacks) == 1
    assert mail.outbox == []
    callbacks[0]()
    assert len(mail.outbox) == 1


# ---- notes ----------------------------------------------------------------------------


def test_a_note_goes_on_the_timeline_and_nowhere_else(
    case, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        event = case_add_note(case=case, actor=staff_user, note="Called the resident back.")

    assert event.kind == CaseEvent.Kind.NOTE
    assert event.internal_note == "Called the resident back."
    assert event.actor == staff_user
    assert list(case.events.values_list("kind", flat=True)) == [
        CaseEvent.Kind.SUBMITTED,
        CaseEvent.Kind.NOTE,
    ]
    assert Case.objects.get(pk=case.pk).status == "received"
    assert mail.outbox == []
    assert Delivery.objects.filter(case=case).count() == 1
