"""Working a case: assign, priority, reopen, merge, follow, optimistic locking,
photos as thumbnails, related cases, and finding the caller first."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile

from townhall.cases.factories import FLY_TIPPING_ANSWERS, submitted_case, tiny_png
from townhall.cases.models import Attachment, Case, CaseEvent, CaseFollower
from townhall.cases.services import case_transition
from townhall.tenancy.factories import MembershipFactory
from townhall.tenancy.models import Team
from townhall.testing.sign_in import sign_in


@pytest.fixture
def case(fly_tipping):
    return submitted_case(fly_tipping)


@pytest.fixture
def team(council):
    return Team.objects.create(organisation=council, slug="field-officers", name="Field officers")


def _post(client, case, action: str, data: dict[str, object]):
    return client.post(f"/staff/cases/{case.reference}/{action}/", data)


def test_assign_to_a_person_and_team_is_on_the_timeline(staff_client, staff_user, case, team):
    response = _post(
        staff_client,
        case,
        "assign",
        {"team": team.slug, "assignee": staff_user.pk, "version": case.version},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.team, case.assignee, case.version) == (team, staff_user, 2)
    page = staff_client.get(f"/staff/cases/{case.reference}/").content.decode()
    assert "Assigned to caseworker@example.gov.uk (Field officers)" in page


def test_someone_of_another_council_cannot_be_assigned(staff_client, case, other_council):
    outsider = MembershipFactory(organisation=other_council, user__password="!").user
    response = _post(staff_client, case, "assign", {"assignee": outsider.pk, "version": 1})  # type: ignore[attr-defined]
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.assignee is None


def test_two_staff_never_silently_overwrite_each_other(staff_client, staff_user, case, team):
    seen = case.version
    # A colleague changes the priority first ...
    _post(staff_client, case, "priority", {"priority": "high", "version": seen})
    # ... then this member of staff, who loaded the page before that, assigns it.
    response = _post(staff_client, case, "assign", {"team": team.slug, "version": seen})
    assert response.status_code == 409
    assert "Someone else changed this case" in response.content.decode()
    case.refresh_from_db()
    assert case.team != team and case.priority == "high"
    # The same goes for a status change.
    response = _post(staff_client, case, "status", {"status": "inspecting", "version": seen})
    assert response.status_code == 409
    case.refresh_from_db()
    assert case.status == "received"
    # With the version now shown, it works.
    response = _post(
        staff_client, case, "status", {"status": "inspecting", "version": case.version}
    )
    assert response.status_code == 302


def test_priority_must_be_one_of_the_choices(staff_client, case):
    response = _post(staff_client, case, "priority", {"priority": "whenever", "version": 1})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()


def test_a_closed_case_is_reopened_with_a_new_due_date(staff_client, staff_user, case):
    closed = case_transition(case=case, to_status="cleared", actor=staff_user)
    assert "Reopen the case" in staff_client.get(f"/staff/cases/{case.reference}/").content.decode()
    response = _post(
        staff_client, case, "reopen", {"internal_note": "Came back", "version": closed.version}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.is_open and case.status == "received" and case.closed_at is None
    assert case.events.filter(kind=CaseEvent.Kind.REOPENED, internal_note="Came back").exists()


def test_an_open_case_cannot_be_reopened(staff_client, case):
    response = _post(staff_client, case, "reopen", {"version": case.version})
    assert response.status_code == 409
    assert "open already" in response.content.decode()


def test_merge_as_a_duplicate_links_both_and_closes_one(staff_client, fly_tipping, case):
    original = submitted_case(fly_tipping)
    response = _post(
        staff_client, case, "merge", {"into": original.reference.lower(), "version": 1}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.merged_into == original and not case.is_open
    assert original.events.filter(kind=CaseEvent.Kind.MERGED).exists()
    page = staff_client.get(f"/staff/cases/{original.reference}/").content.decode()
    assert case.reference in page  # listed as its duplicate
    assert "Merge as a duplicate" in page  # still open, still workable


def test_merging_into_another_councils_case_is_refused(staff_client, case, other_fly_tipping):
    theirs = submitted_case(other_fly_tipping)
    response = _post(staff_client, case, "merge", {"into": theirs.reference, "version": 1})
    assert response.status_code == 409
    assert "No case of your council has that reference" in response.content.decode()
    case.refresh_from_db()
    assert case.is_open


def test_follow_and_unfollow(staff_client, staff_user, case):
    _post(staff_client, case, "follow", {})
    _post(staff_client, case, "follow", {})
    assert CaseFollower.objects.filter(case=case, user=staff_user).count() == 1
    page = staff_client.get(f"/staff/cases/{case.reference}/").content.decode()
    assert "Stop following" in page
    _post(staff_client, case, "follow", {"follow": "no"})
    assert not CaseFollower.objects.exists()


def test_the_case_page_shows_related_cases(staff_client, fly_tipping, case):
    same_resident = submitted_case(fly_tipping, dict(FLY_TIPPING_ANSWERS, waste_type="tyres"))
    someone_else = submitted_case(fly_tipping, dict(FLY_TIPPING_ANSWERS, email="other@example.com"))
    page = staff_client.get(f"/staff/cases/{case.reference}/").content.decode()
    assert same_resident.reference in page
    # The same postcode (OX1 1AA, in the location): a possible duplicate.
    assert someone_else.reference in page


def _photo(case: Case, data: bytes, content_type: str = "image/png") -> Attachment:
    attachment = Attachment(
        case=case,
        filename="p.png",
        content_type=content_type,
        size=len(data),
        created_at=case.created_at,
    )
    attachment.file.save("p", ContentFile(data), save=False)
    attachment.save()
    return attachment


def test_photos_are_shown_as_small_jpegs_without_their_metadata(staff_client, case):
    from PIL import Image

    photo = _photo(case, tiny_png(1200, 800))
    response = staff_client.get(f"/staff/cases/{case.reference}/attachments/{photo.pk}/thumbnail/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    image = Image.open(io.BytesIO(response.content))
    assert max(image.size) <= 320
    assert not image.info.get("exif")


def test_a_file_that_is_not_really_an_image_gets_no_thumbnail(staff_client, case):
    fake = _photo(case, b"\x89PNG\r\n\x1a\nnot really")
    response = staff_client.get(f"/staff/cases/{case.reference}/attachments/{fake.pk}/thumbnail/")
    assert response.status_code == 404
    pdf = _photo(case, b"%PDF-1.4", content_type="application/pdf")
    response = staff_client.get(f"/staff/cases/{case.reference}/attachments/{pdf.pk}/thumbnail/")
    assert response.status_code == 404


def test_an_adviser_finds_the_caller_before_recording_anything(client, council, fly_tipping):
    adviser = MembershipFactory(organisation=council, role="adviser", user__password="!").user
    sign_in(client, adviser)
    case = submitted_case(fly_tipping)
    for url in ("/staff/contacts/new/", "/staff/assisted/"):
        page = client.get(url).content.decode()
        assert "Find the caller first" in page
        found = client.get(url, {"caller": "Resident@Example.com"}).content.decode()
        assert case.reference in found
        assert "New request" in found  # the contact that opened it
        by_postcode = client.get(url, {"caller": "ox11aa"}).content.decode()
        assert case.reference in by_postcode
        nothing = client.get(url, {"caller": "nobody@example.com"}).content.decode()
        assert "No earlier case matches" in nothing


def test_finding_the_caller_never_shows_another_councils_cases(
    staff_client, fly_tipping, other_fly_tipping
):
    theirs = submitted_case(other_fly_tipping)
    page = staff_client.get("/staff/contacts/new/", {"caller": "resident@example.com"})
    assert theirs.reference not in page.content.decode()


def test_a_case_passed_to_another_council_keeps_its_timeline_and_the_resident_is_told(
    staff_client, staff_user, case, other_fly_tipping, django_capture_on_commit_callbacks
):
    from django.core import mail

    _post(staff_client, case, "notes", {"note": "Their side of the boundary"})
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(
            staff_client,
            case,
            "transfer",
            {"organisation": other_fly_tipping.organisation.slug, "version": case.version},
        )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.organisation == other_fly_tipping.organisation
    assert case.service == other_fly_tipping and case.assignee is None
    assert case.events.filter(kind=CaseEvent.Kind.NOTE).exists()  # the timeline is kept
    transferred = case.events.get(kind=CaseEvent.Kind.TRANSFERRED)
    assert transferred.public_message.startswith("Your request has been passed to Other Council")
    told = [m for m in mail.outbox if case.reference in m.subject + m.body]
    assert told[-1].to == ["resident@example.com"]
    assert "passed to Other Council" in told[-1].body
    # No longer ours; theirs now.
    assert staff_client.get(f"/staff/cases/{case.reference}/").status_code == 404
    theirs = MembershipFactory(organisation=other_fly_tipping.organisation, user__password="!")
    sign_in(staff_client, theirs.user)
    page = staff_client.get(f"/staff/cases/{case.reference}/").content.decode()
    assert "Passed from Example Council to Other Council" in page


def test_a_council_without_the_service_cannot_take_the_case(staff_client, case, other_council):
    response = _post(
        staff_client, case, "transfer", {"organisation": other_council.slug, "version": 1}
    )
    assert response.status_code == 409
    assert "has no published service" in response.content.decode()
    case.refresh_from_db()
    assert case.organisation.slug == "example"


def test_a_response_template_fills_in_the_update(
    staff_client, case, fly_tipping, django_capture_on_commit_callbacks
):
    from django.core import mail

    from townhall.cases.models import ResponseTemplate

    template = ResponseTemplate.objects.create(
        organisation=fly_tipping.organisation,
        service=fly_tipping,
        state="cleared",
        name="Cleared, thanks",
        text="We have cleared it. Quote ((reference)) if it comes back. ((council_name))",
    )
    page = staff_client.get(f"/staff/cases/{case.reference}/").content.decode()
    assert f"Quote {case.reference} if it comes back. Example Council" in page
    wrong = _post(
        staff_client,
        case,
        "status",
        {"status": "inspecting", "template": template.pk, "version": case.version},
    )
    assert wrong.status_code == 400
    assert "for another status" in wrong.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        _post(
            staff_client,
            case,
            "status",
            {"status": "cleared", "template": template.pk, "version": case.version},
        )
    event = case.events.get(kind=CaseEvent.Kind.STATUS_CHANGED)
    assert event.public_message.startswith("We have cleared it. Quote EXA-")
    assert any("We have cleared it" in m.body for m in mail.outbox)


def test_the_case_page_costs_the_same_queries_however_long_its_history(
    staff_client, staff_user, fly_tipping, case
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from townhall.cases import casework
    from townhall.cases.services import case_add_note

    url = f"/staff/cases/{case.reference}/"
    with CaptureQueriesContext(connection) as short:
        assert staff_client.get(url).status_code == 200
    for n in range(4):
        case_add_note(case=case, actor=staff_user, note=f"Note {n}")
        casework.case_follow(case=case, user=staff_user)
        submitted_case(fly_tipping)  # the same resident again: related cases
    casework.case_set_priority(case=case, actor=staff_user, priority="high")
    with CaptureQueriesContext(connection) as long:
        staff_client.get(url)
    assert len(long) == len(short)
