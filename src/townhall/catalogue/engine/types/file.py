"""`file`: uploads. The stored answer is a list of records of stored files,
each {"id", "name", "size", "type"}; a file's type is read from its first
bytes, never from its name or what the browser says."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from townhall.catalogue.engine.types.base import (
    AnswerError,
    FormData,
    NewFiles,
    QuestionType,
    plain_number,
)
from townhall.catalogue.engine.types.registry import register

if TYPE_CHECKING:
    from townhall.catalogue.engine.definition import Question

FILE_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "application/pdf": (b"%PDF-",),
}
FILE_EXTENSIONS = {
    "image/jpeg": "JPG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
    "application/pdf": "PDF",
}


def sniff_content_type(upload: UploadedFile) -> str | None:
    """The type a file really is, from its first bytes (never its name or header)."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for content_type, signatures in FILE_SIGNATURES.items():
        if head.startswith(signatures):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def _is_file_record(record: Any) -> bool:
    """A record of a stored attachment, as the case services write it."""
    return (
        isinstance(record, dict)
        and all(isinstance(record.get(key), str) for key in ("id", "name", "type"))
        and isinstance(record.get("size"), int)
        and not isinstance(record.get("size"), bool)
    )


def file_kinds(content_types: tuple[str, ...]) -> str:
    """The kinds of file a question accepts as a list in words: "JPG, PNG or PDF"."""
    names = [FILE_EXTENSIONS[t] for t in content_types]
    if len(names) < 2:
        return "".join(names)
    return _("%(some)s or %(last)s") % {"some": ", ".join(names[:-1]), "last": names[-1]}


@register
class FileType(QuestionType):
    name = "file"
    upload = True
    properties = {
        "accept": {"type": "array", "items": {"enum": list(FILE_EXTENSIONS)}},
        "max_size_mb": {"type": "number", "exclusiveMinimum": 0, "maximum": 50},
        "max_files": {"type": "integer", "minimum": 1, "maximum": 10},
    }
    messages = {
        "required": gettext_lazy("Select a file"),
        "too_many": ngettext_lazy(
            "Select up to %(count)d file", "Select up to %(count)d files", "count"
        ),
        "upload_too_big": gettext_lazy("The file %(name)s must be smaller than %(size)sMB"),
        "upload_wrong_type": gettext_lazy("The file %(name)s must be a %(kinds)s"),
        "too_big": gettext_lazy("Each file must be smaller than %(size)sMB"),
        "wrong_type": gettext_lazy("The selected file must be a %(kinds)s"),
    }
    named_messages = {"required": gettext_lazy("Select %(what)s")}

    def parse(self, question: Question, data: FormData, files: FormData) -> Any:
        getlist: Callable[[str], list[Any]] = getattr(files, "getlist", lambda k: [])
        uploads = tuple(u for u in getlist(question.id) if u and u.size)
        if not uploads:
            return ""
        if len(uploads) > question.max_files:
            raise AnswerError(self.message(question, "too_many", count=question.max_files))
        allowed = question.accept or tuple(FILE_SIGNATURES)
        for upload in uploads:
            if upload.size > question.max_size_mb * 1024 * 1024:
                raise AnswerError(
                    self.message(
                        question,
                        "upload_too_big",
                        name=upload.name,
                        size=plain_number(question.max_size_mb),
                    )
                )
            if sniff_content_type(upload) not in allowed:
                kinds = file_kinds(allowed)
                raise AnswerError(
                    self.message(question, "upload_wrong_type", name=upload.name, kinds=kinds)
                )
        return NewFiles(uploads)

    def check(self, question: Question, value: Any) -> str | None:
        if not isinstance(value, list) or len(value) > question.max_files:
            return self.message(question, "too_many", count=question.max_files)
        allowed = question.accept or tuple(FILE_SIGNATURES)
        for record in value:
            if not _is_file_record(record) or record["type"] not in allowed:
                kinds = file_kinds(allowed)
                return self.message(question, "wrong_type", kinds=kinds)
            if record["size"] > question.max_size_mb * 1024 * 1024:
                return self.message(question, "too_big", size=plain_number(question.max_size_mb))
        return None

    def example_values(self, question: Question, key: str) -> dict[str, Any]:
        return {
            "count": question.max_files,
            "size": plain_number(question.max_size_mb),
            "kinds": file_kinds(question.accept or tuple(FILE_SIGNATURES)),
            "name": "photo.jpg",
        }

    def display(self, question: Question, value: Any) -> str:
        return ", ".join(str(record.get("name", "")) for record in value)

    def export(self, question: Question, value: Any) -> Any:
        return [record.get("name", "") for record in value]
