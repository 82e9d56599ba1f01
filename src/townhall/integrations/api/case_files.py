"""Creating a case with files: the same answers document as `POST /cases`,
sent as the `case` part of a multipart form, and each file question's files
as parts named by the question's id. The files are checked exactly as the web
form's file question checks them (their type sniffed from their content,
their count and size within the question's limits) by the journey service's
`case_create`, which makes the case and keeps its files together or not at all."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import Router, Status
from pydantic import ValidationError

from townhall.integrations.api.auth import caller
from townhall.integrations.api.cases import CaseIn, CaseOut, created
from townhall.integrations.api.errors import COMMON_ERRORS, ApiError, ErrorOut, Problem
from townhall.integrations.api.idempotent import run_once
from townhall.integrations.api.inputs import refuse_nul
from townhall.integrations.idempotency import Outcome
from townhall.integrations.models import ApiKey

router = Router(tags=["cases"])

CASE_PART = "case"
REQUEST_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": [CASE_PART],
                "properties": {
                    CASE_PART: {
                        "type": "string",
                        "description": (
                            "The answers document of `POST /cases` as JSON text: "
                            '`{"service": …, "answers": {…}, "declaration": …}`. '
                            "Leave the file questions out of `answers`: their files are "
                            "the other parts."
                        ),
                    }
                },
                "additionalProperties": {
                    "type": "string",
                    "format": "binary",
                    "description": "Files for the file question whose id names the part.",
                },
            }
        }
    },
}


@router.post(
    "/cases/with-files",
    response={201: CaseOut, **COMMON_ERRORS, 404: ErrorOut},
    openapi_extra={"requestBody": REQUEST_BODY},
)
def case_create_with_files_view(request: HttpRequest, response: HttpResponse) -> Status:
    """Create a case with files, under the same rules as the web journey: a
    `multipart/form-data` body whose `case` part is the document `POST /cases`
    takes and whose other parts are files, each part named by the id of the
    file question it answers (repeat a part for several files). A file of a
    type or size the question does not take is refused naming its question
    (`answers.<question id>`). Send an `Idempotency-Key` to retry safely."""
    api_key = caller(request, ApiKey.Scope.WRITE)
    text, files = _parts(request)
    payload = _document(text)
    refuse_nul(payload.answers, "answers")

    def create() -> Outcome:
        return Outcome(
            201, CaseOut(**created(api_key, payload, files=files)).model_dump(mode="json")
        )

    return run_once(
        request, response, api_key=api_key, operation=create, body=_identity(text, files)
    )


def _parts(request: HttpRequest) -> tuple[str, dict[str, list[UploadedFile]]]:
    if not (request.content_type or "").startswith("multipart/form-data"):
        raise ApiError(
            400, "bad_request", _("Send this as multipart/form-data, with a “case” part.")
        )
    try:
        fields, uploads = request.POST, request.FILES
    except (MultiPartParserError, SuspiciousOperation) as error:
        raise ApiError(
            400, "bad_request", _("The form could not be read: send it again, smaller.")
        ) from error
    files = {name: uploads.getlist(name) for name in uploads}
    return fields.get(CASE_PART, ""), files


def _document(text: str) -> CaseIn:
    try:
        data = json.loads(text) if text else None
    except ValueError as error:
        raise ApiError(422, "invalid", _("This is not JSON."), CASE_PART) from error
    if not isinstance(data, dict):
        raise ApiError(
            422, "invalid", _("Send the case as a JSON object, as POST /cases takes it."), CASE_PART
        )
    try:
        return CaseIn.model_validate(data)
    except ValidationError as invalid:
        raise ApiError.many(
            422,
            (
                Problem(
                    code=str(error.get("type", "invalid")),
                    message=str(error.get("msg", "")),
                    path=".".join(str(p) for p in error.get("loc", ())) or CASE_PART,
                )
                for error in invalid.errors()
            ),
        ) from invalid


def _identity(text: str, files: dict[str, list[UploadedFile]]) -> bytes:
    """What makes two such requests the same one, for the Idempotency-Key:
    the document, and each file's part, name, size and content."""
    identity: list[Any] = [_canonical(text)]
    for name in sorted(files):
        for upload in files[name]:
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            identity.append([name, upload.name, upload.size, digest.hexdigest()])
    return json.dumps(identity).encode()


def _canonical(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text
