"""Files and links sent with a whole answers document (`journey.case_create`):
uploads are read by the file question type exactly as the web form reads
them (type from the first bytes, size and count limits), and links to files
held elsewhere (Open311's `media_url`) are recorded, never fetched."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from townhall.cases.models import Case
from townhall.cases.services import attachment_store
from townhall.catalogue.engine.definition import ServiceDefinition
from townhall.catalogue.engine.inputs import AnswerError, NewFiles, parse_input, sniff_content_type
from townhall.catalogue.engine.validation import field_path

MAX_MEDIA_URLS = 10
MAX_MEDIA_URL_LENGTH = 2000
_url_valid = URLValidator(schemes=["http", "https"])

Uploads = Mapping[str, Sequence[UploadedFile]]


def files_read(
    *, definition: ServiceDefinition, files: Uploads
) -> tuple[dict[str, NewFiles], dict[str, str]]:
    """The uploads for each file question (by question id), checked as the web
    form checks them, and the problems by field path."""
    accepted: dict[str, NewFiles] = {}
    problems: dict[str, str] = {}
    for question_id, uploads in files.items():
        try:
            question = definition.question(question_id)
        except KeyError:
            problems[question_id] = _("This service does not ask this question")
            continue
        if question.type != "file":
            problems[question_id] = _("This question does not take files")
            continue
        try:
            value = parse_input(question, {}, MultiValueDict({question_id: list(uploads)}))
        except AnswerError as error:
            problems[question_id] = str(error)
            continue
        if isinstance(value, NewFiles):
            accepted[question_id] = value
    return accepted, problems


def provisional_records(new: NewFiles) -> list[dict[str, Any]]:
    """What the answer will record for files not stored yet, so the answers
    can be checked (required, count, type, size) before anything is written."""
    return [
        {"id": "", "name": _filename(upload), "size": upload.size, "type": _type(upload)}
        for upload in new.files
    ]


def media_urls_read(urls: Sequence[object]) -> tuple[list[str], dict[str, str]]:
    """Links to files held elsewhere: http or https, at most MAX_MEDIA_URLS."""
    problems: dict[str, str] = {}
    if len(urls) > MAX_MEDIA_URLS:
        message = _("Send at most %(count)d links to files") % {"count": MAX_MEDIA_URLS}
        return [], {"media_url": message}
    kept: list[str] = []
    for index, url in enumerate(urls):
        path = field_path(["media_url", index])
        if not isinstance(url, str) or len(url) > MAX_MEDIA_URL_LENGTH:
            problems[path] = _("Give a web address of up to 2,000 characters")
            continue
        try:
            _url_valid(url)
        except ValidationError:
            problems[path] = _("Give a web address starting with http:// or https://")
            continue
        kept.append(url)
    return kept, problems


def files_store(
    *, case: Case, new: Mapping[str, NewFiles], stored: list[str]
) -> dict[str, list[dict[str, Any]]]:
    """Store checked uploads as the case's attachments (noting each stored
    file's name in `stored`, for the caller to delete if the transaction
    fails); returns the answer for each question."""
    return {
        question_id: [
            attachment_store(upload=upload, stored=stored, case=case) for upload in new_files.files
        ]
        for question_id, new_files in new.items()
    }


def _filename(upload: UploadedFile) -> str:
    return re.sub(r"[\x00-\x1f\x7f]", "", upload.name or "")[-255:] or "upload"


def _type(upload: UploadedFile) -> str:
    return sniff_content_type(upload) or "application/octet-stream"
