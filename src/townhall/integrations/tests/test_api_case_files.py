"""Creating a case with files through the REST API: a multipart form whose
`case` part is the answers document and whose file parts are named by their
questions, checked as the web form checks a file question."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from townhall.cases.models import Attachment, Case, Channel
from townhall.integrations.tests.conftest import ApiClient
from townhall.integrations.tests.test_open311_read import ANSWERS

pytestmark = pytest.mark.django_db

URL = "/api/v1/cases/with-files"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def document(**answers: Any) -> str:
    return json.dumps({"service": "report-fly-tipping", "answers": {**ANSWERS, **answers}})


def send(api: ApiClient, case: str, **parts: Any) -> Any:
    return api.client.post(URL, {"case": case, **parts}, headers=api.headers(None))


def photo(name: str = "tip.png", content: bytes = PNG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


def test_a_case_is_made_with_its_photos_kept(writer, fly_tipping):
    response = send(writer, document(), photos=[photo("a.png"), photo("b.png")])

    assert response.status_code == 201, response.content
    case = Case.objects.get()
    assert (case.reference, case.channel) == (response.json()["reference"], Channel.API)
    kept = Attachment.objects.filter(case=case)
    assert sorted(a.content_type for a in kept) == ["image/png", "image/png"]
    recorded = response.json()["answers"]["photos"]
    assert sorted(r["name"] for r in recorded) == ["a.png", "b.png"]


def test_a_file_whose_content_is_not_an_image_is_refused_by_its_question(writer, fly_tipping):
    pdf = SimpleUploadedFile("tip.png", b"%PDF-1.4 not a photo", content_type="image/png")

    response = send(writer, document(), photos=pdf)

    assert response.status_code == 422
    problems = response.json()["errors"]
    assert [p["path"] for p in problems] == ["answers.photos"]
    assert "JPG or PNG" in problems[0]["message"]
    assert not Case.objects.exists() and not Attachment.objects.exists()


def test_too_many_files_or_a_file_for_another_question_are_refused(writer, fly_tipping):
    too_many = send(writer, document(), photos=[photo() for _n in range(4)])
    elsewhere = send(writer, document(), description=photo())

    assert too_many.status_code == elsewhere.status_code == 422
    assert [p["path"] for p in too_many.json()["errors"]] == ["answers.photos"]
    assert "answers.description" in [p["path"] for p in elsewhere.json()["errors"]]
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("case", "path"),
    [
        ("", "case"),
        ("not json", "case"),
        ("[]", "case"),
        (json.dumps({"answers": ANSWERS}), "service"),
        (json.dumps({"service": "report-fly-tipping", "answers": {"x": "a\x00b"}}), "answers.x"),
    ],
)
def test_a_malformed_case_part_is_refused_naming_the_field(writer, fly_tipping, case, path):
    response = send(writer, case, photos=photo())

    assert response.status_code == 422
    assert path in [p["path"] for p in response.json()["errors"]]


def test_json_sent_here_is_refused_with_a_clear_message(writer, fly_tipping):
    response = writer.post("/cases/with-files", {"service": "report-fly-tipping"})

    assert response.status_code == 400
    assert "multipart/form-data" in response.json()["errors"][0]["message"]


def test_a_read_key_cannot_create(reader, fly_tipping):
    assert send(reader, document(), photos=photo()).status_code == 403


def test_without_a_key_nothing_is_made(client, fly_tipping):
    response = client.post(URL, {"case": document(), "photos": photo()})

    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "unauthorized"
    assert not Case.objects.exists()
    assert not Attachment.objects.exists()


def test_a_retried_upload_with_an_idempotency_key_makes_one_case(writer, fly_tipping):
    headers = writer.headers({"Idempotency-Key": "upload-1"})
    first = writer.client.post(URL, {"case": document(), "photos": photo()}, headers=headers)
    again = writer.client.post(URL, {"case": document(), "photos": photo()}, headers=headers)
    other = writer.client.post(
        URL, {"case": document(), "photos": photo(content=PNG + b"\x01")}, headers=headers
    )

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert first.json()["reference"] == again.json()["reference"]
    assert other.status_code == 422  # the same key for a different file
    assert Case.objects.count() == Attachment.objects.count() == 1


def test_another_councils_key_cannot_create_with_this_councils_service(
    client, key_for, other_council, fly_tipping
):
    theirs = ApiClient(client, key_for("write", other_council))

    response = send(theirs, document(), photos=[photo()])

    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "service"
    assert not Case.objects.exists()
    assert not Attachment.objects.exists()
