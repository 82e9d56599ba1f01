"""Uploaded files are kept only while something needs them: a sent case keeps
the files its answers record, and the others go from the storage and the
database once the submission commits."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.datastructures import MultiValueDict

from townhall.cases import journey as journeys
from townhall.cases.models import Attachment
from townhall.cases.services import SubmissionRefused, files_delete
from townhall.catalogue.factories import (
    definition_data,
    options_data,
    page_data,
    question_data,
    service_create,
)

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


@pytest.fixture
def service(council):
    """A pothole's photo is asked only about potholes; any report may have a photo."""
    return service_create(
        organisation=council,
        definition=definition_data(
            page_data(
                "problem",
                question_data(
                    "problem",
                    "radios",
                    "What is the problem?",
                    options=options_data("pothole", "other"),
                ),
            ),
            page_data(
                "pothole-photo",
                question_data("pothole_photos", "file", "Photo of the pothole", required=False),
                when={"question": "problem", "equals": "pothole"},
            ),
            page_data("photo", question_data("photos", "file", "Photo", required=False)),
            page_data("contact", question_data("email", "email", "Email", contact="email")),
            declaration="It is true.",
        ),
    )


def _send(journey, page_id, data=None, name=None):
    page = journey.definition.page(page_id)
    files = MultiValueDict({page.questions[0].id: [SimpleUploadedFile(name, PNG)]}) if name else {}
    reading = journeys.page_read(journey=journey, page=page, data=data or {}, files=files)
    assert reading.complete, reading.errors
    return journeys.page_save(journey=journey, reading=reading)


def _stored(attachment: Attachment) -> bool:
    return attachment.file.storage.exists(str(attachment.file.name))


def test_files_replaced_or_off_the_route_go_when_the_case_is_sent(
    service, django_capture_on_commit_callbacks
):
    journey = journeys.journey_open(service=service)
    journey = _send(journey, "problem", {"problem": "pothole"})
    journey = _send(journey, "pothole-photo", name="hole.png")
    journey = _send(journey, "photo", name="first.png")
    journey = _send(journey, "photo", name="second.png")  # replaces the first
    journey = _send(journey, "problem", {"problem": "other"})  # the pothole page is off the route
    journey = _send(journey, "contact", {"email": "a@example.com"})
    uploads = {a.filename: a for a in Attachment.objects.all()}
    assert set(uploads) == {"hole.png", "first.png", "second.png"}

    with django_capture_on_commit_callbacks() as on_commit, pytest.raises(SubmissionRefused):
        journeys.journey_submit(journey=journey, declaration=False, actor=None)
    assert on_commit == [] and Attachment.objects.count() == 3  # refused: nothing goes

    with django_capture_on_commit_callbacks() as on_commit:
        case = journeys.journey_submit(journey=journey, declaration=True, actor=None)
        assert all(_stored(a) for a in uploads.values())  # files go only on commit
    for callback in on_commit:
        callback()

    kept = Attachment.objects.get()
    assert (kept.filename, kept.case) == ("second.png", case)
    assert case.answers["photos"][0]["id"] == str(kept.pk)
    assert _stored(kept)
    assert not _stored(uploads["first.png"])
    assert not _stored(uploads["hole.png"])


def test_a_file_the_storage_cannot_delete_is_logged_and_the_others_still_go(tmp_path, caplog):
    class Failing(FileSystemStorage):
        def delete(self, name: str) -> None:
            if name == stuck:
                raise PermissionError(name)
            super().delete(name)

    storage = Failing(location=tmp_path)
    stuck, gone = storage.save("a", ContentFile(b"1")), storage.save("b", ContentFile(b"2"))
    files_delete(storage=storage, names=[stuck, None, gone])
    assert storage.exists(stuck) and not storage.exists(gone)
    assert f"Could not delete the stored file {stuck}" in caplog.text
