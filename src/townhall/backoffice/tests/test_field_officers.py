"""A field officer on a phone: a photo from the camera with a status update or
a note, kept only for staff; and a form that comes back with an error (or
because someone else changed the case) keeps what was typed."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from townhall.cases.factories import submitted_case, tiny_png
from townhall.cases.models import Attachment, CaseEvent
from townhall.residents.requests import request_files
from townhall.tenancy.factories import MembershipFactory
from townhall.testing.sign_in import sign_in


@pytest.fixture
def case(fly_tipping):
    return submitted_case(fly_tipping)


def _photo(name: str = "site.png", data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, tiny_png(40, 30) if data is None else data, "image/png")


def _stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_the_update_forms_offer_the_phones_camera(staff_client, case):
    page = staff_client.get(f"/staff/cases/{case.reference}/").content.decode()
    assert page.count('enctype="multipart/form-data"') == 2  # status and note
    assert page.count('accept="image/*" capture="environment"') == 2
    assert 'id="id_photo"' in page and 'id="id_note_photo"' in page


def test_a_status_update_with_a_photo_shows_its_thumbnail_to_staff_only(
    staff_client, staff_user, case
):
    response = staff_client.post(
        f"/staff/cases/{case.reference}/status/",
        {
            "status": "inspecting",
            "internal_note": "Two sofas by the gate.",
            "photo": _photo(),
            "version": case.version,
        },
    )
    assert response.status_code == 302
    photo = Attachment.objects.get(case=case)
    assert photo.added_by == staff_user
    assert (photo.filename, photo.content_type) == ("site.png", "image/png")
    event = case.events.get(kind=CaseEvent.Kind.STATUS_CHANGED)
    assert event.payload["photo"]["id"] == str(photo.pk)
    page = staff_client.get(f"/staff/cases/{case.reference}/").content.decode()
    thumbnail = f"/staff/cases/{case.reference}/attachments/{photo.pk}/thumbnail/"
    assert thumbnail in page
    assert "Photo taken by staff: site.png" in page
    assert staff_client.get(thumbnail)["Content-Type"] == "image/jpeg"
    # The resident's files (their account, their data) never include it.
    assert request_files(case) == []


def test_a_photo_alone_is_a_note(staff_client, case):
    response = staff_client.post(
        f"/staff/cases/{case.reference}/notes/", {"note": "", "photo": _photo("gate.jpg")}
    )
    assert response.status_code == 302
    event = case.events.get(kind=CaseEvent.Kind.NOTE)
    assert event.payload["photo"]["name"] == "gate.jpg"
    assert staff_client.get(f"/staff/cases/{case.reference}/").context["messages"]


def test_a_file_that_is_not_an_image_is_refused_and_the_note_kept(staff_client, case, settings):
    response = staff_client.post(
        f"/staff/cases/{case.reference}/notes/",
        {"note": "Rang the landlord.", "photo": _photo("notes.png", b"%PDF-1.4 not a photo")},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "The photo must be a JPG, PNG, GIF or WEBP image" in body
    assert "Rang the landlord.</textarea>" in body
    assert "If you chose a photo, choose it again." in body
    assert not Attachment.objects.exists()
    assert _stored_files(settings) == []


def test_a_status_form_with_an_error_comes_back_with_what_was_typed(staff_client, case):
    response = staff_client.post(
        f"/staff/cases/{case.reference}/status/",
        {
            "public_message": "We will collect it on Tuesday.",
            "internal_note": "Van booked.",
            "version": case.version,
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Select the new status" in body
    assert "We will collect it on Tuesday.</textarea>" in body
    assert "Van booked.</textarea>" in body


def test_a_change_someone_else_overtook_keeps_what_was_typed_and_no_photo(
    staff_client, case, settings
):
    stale = case.version
    staff_client.post(
        f"/staff/cases/{case.reference}/priority/", {"priority": "high", "version": stale}
    )
    response = staff_client.post(
        f"/staff/cases/{case.reference}/status/",
        {
            "status": "inspecting",
            "public_message": "On our way.",
            "photo": _photo(),
            "version": stale,
        },
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this case" in body
    assert "On our way.</textarea>" in body
    assert not Attachment.objects.exists()
    assert _stored_files(settings) == []  # the stored photo went with the rollback


def test_staff_who_may_not_change_cases_cannot_add_photos(client, council, case):
    adviser = MembershipFactory(organisation=council, role="adviser", user__password="!").user
    sign_in(client, adviser)
    for action, data in (("status", {"status": "inspecting"}), ("notes", {"note": "x"})):
        response = client.post(
            f"/staff/cases/{case.reference}/{action}/", {**data, "photo": _photo()}
        )
        assert response.status_code == 403
    assert not Attachment.objects.exists()


def test_another_councils_staff_cannot_add_photos(client, other_council, case):
    theirs = MembershipFactory(
        organisation=other_council, role="caseworker", user__password="!"
    ).user
    sign_in(client, theirs)
    response = client.post(
        f"/staff/cases/{case.reference}/notes/", {"note": "x", "photo": _photo()}
    )
    assert response.status_code == 404
    assert not Attachment.objects.exists()


def test_photos_cost_the_case_page_no_extra_queries(staff_client, case):
    url = f"/staff/cases/{case.reference}/"
    with CaptureQueriesContext(connection) as without:
        staff_client.get(url)
    for n in range(3):
        staff_client.post(
            f"/staff/cases/{case.reference}/notes/", {"note": f"{n}", "photo": _photo()}
        )
    with CaptureQueriesContext(connection) as with_photos:
        page = staff_client.get(url).content.decode()
    assert page.count("Photo taken by staff") == 3
    assert len(with_photos) == len(without)
