"""Turning what a browser sends into answers, one question type at a time.
Every function here refuses bad input only with AnswerError, whose message is
shown to the resident; `questions.check_answer` then checks the answer."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile

from townhall.catalogue.engine.definition import Question
from townhall.catalogue.engine.questions import (
    ADDRESS_PARTS,
    FILE_EXTENSIONS,
    FILE_SIGNATURES,
    UK_POSTCODE,
    is_empty,
    item_name,
    lower_first,
)
from townhall.catalogue.engine.validation import CONTROL_CHARACTERS


class AnswerError(ValueError):
    """The answer cannot be accepted; the message is shown to the resident."""


@dataclass(frozen=True)
class NewFiles:
    """Files uploaded on this request, checked but not yet stored."""

    files: tuple[UploadedFile, ...]


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


def parse_input(question: Question, data: Mapping[str, Any], files: Mapping[str, Any]) -> Any:
    """Turn submitted form fields into an answer (or NewFiles). Raises AnswerError."""
    parser = _PARSERS.get(question.type, _parse_text)
    return parser(question, data, files)


def _single(data: Mapping[str, Any], key: str) -> str:
    """One typed value, trimmed, without control characters (a NUL cannot even
    be stored by PostgreSQL)."""
    value = data.get(key, "")
    return CONTROL_CHARACTERS.sub("", value).strip() if isinstance(value, str) else ""


def _parse_text(question: Question, data: Mapping[str, Any], files: Mapping[str, Any]) -> Any:
    return _single(data, question.id)


def _parse_email(question: Question, data: Mapping[str, Any], files: Mapping[str, Any]) -> Any:
    return _single(data, question.id).lower()


def _parse_postcode(question: Question, data: Mapping[str, Any], files: Mapping[str, Any]) -> Any:
    raw = re.sub(r"\s+", "", _single(data, question.id).upper())
    if raw and (match := UK_POSTCODE.match(raw)):
        return f"{match.group(1)} {match.group(2)}"
    return raw


def _parse_phone(question: Question, data: Mapping[str, Any], files: Mapping[str, Any]) -> Any:
    return re.sub(r"[\s()-]", "", _single(data, question.id))


def _parse_number(question: Question, data: Mapping[str, Any], files: Mapping[str, Any]) -> Any:
    raw = _single(data, question.id).replace(",", "")
    if raw == "":
        return ""
    try:
        number = float(raw)
    except ValueError as error:
        raise AnswerError(f"{question.label.rstrip('?')} must be a number") from error
    if number != number or number in (float("inf"), float("-inf")):  # NaN, infinity
        raise AnswerError(f"{question.label.rstrip('?')} must be a number")
    return int(number) if number.is_integer() else number


def _parse_date(question: Question, data: Mapping[str, Any], files: Mapping[str, Any]) -> Any:
    parts = {p: _single(data, f"{question.id}-{p}") for p in ("day", "month", "year")}
    if not any(parts.values()):
        return ""
    missing = [p for p, v in parts.items() if not v]
    label = question.label.rstrip("?")
    if missing:
        raise AnswerError(f"{label} must include a {' and '.join(missing)}")
    try:
        day, month, year = int(parts["day"]), int(parts["month"]), int(parts["year"])
    except ValueError as error:
        raise AnswerError(f"{label} must be a real date") from error
    # Outside the try: an AnswerError is a ValueError, so it would be reworded there.
    if year < 1000:
        raise AnswerError(f"Year must include 4 numbers in: {lower_first(label)}")
    try:
        return dt.date(year, month, day).isoformat()
    except (ValueError, OverflowError) as error:  # OverflowError: a year too big for C
        raise AnswerError(f"{label} must be a real date") from error


def _parse_checkboxes(question: Question, data: Mapping[str, Any], files: Mapping[str, Any]) -> Any:
    if hasattr(data, "getlist"):
        values = data.getlist(question.id)
    else:  # plain data: one box ticked may arrive as a string, not a list
        value = data.get(question.id)
        values = value if isinstance(value, list | tuple) else [value]
    return [v for v in values if isinstance(v, str) and v]


def _parse_yes_no(question: Question, data: Mapping[str, Any], files: Mapping[str, Any]) -> Any:
    raw = _single(data, question.id)
    return {"yes": True, "no": False}.get(raw, raw)


def _parse_file(question: Question, data: Mapping[str, Any], files: Mapping[str, Any]) -> Any:
    getlist: Callable[[str], list[Any]] = getattr(files, "getlist", lambda k: [])
    uploads = tuple(u for u in getlist(question.id) if u and u.size)
    if not uploads:
        return ""
    if len(uploads) > question.max_files:
        raise AnswerError(f"Select up to {question.max_files} files")
    allowed = question.accept or tuple(FILE_SIGNATURES)
    for upload in uploads:
        if upload.size > question.max_size_mb * 1024 * 1024:
            raise AnswerError(f"{upload.name} must be smaller than {question.max_size_mb:g}MB")
        if sniff_content_type(upload) not in allowed:
            kinds = ", ".join(FILE_EXTENSIONS[t] for t in allowed)
            raise AnswerError(f"{upload.name} must be a {kinds}")
    return NewFiles(uploads)


def _parse_declaration(
    question: Question, data: Mapping[str, Any], files: Mapping[str, Any]
) -> Any:
    return _single(data, question.id) == "yes" or ""


def _parse_address(question: Question, data: Mapping[str, Any], files: Mapping[str, Any]) -> Any:
    parts = {part: _single(data, f"{question.id}-{part}") for part in ADDRESS_PARTS}
    if not any(parts.values()):
        return ""
    postcode = _parse_postcode(
        Question(id="p", type="postcode", label=""), {"p": parts["postcode"]}, {}
    )
    return {**parts, "postcode": postcode}


class _Prefixed(Mapping[str, Any]):
    """The form fields of one item of a group, seen without their prefix."""

    def __init__(self, data: Mapping[str, Any], prefix: str) -> None:
        self.data, self.prefix = data, prefix

    def __getitem__(self, key: str) -> Any:
        return self.data[self.prefix + key]

    def __iter__(self):
        return (k[len(self.prefix) :] for k in self.data if k.startswith(self.prefix))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def getlist(self, key: str) -> list[Any]:
        getlist = getattr(self.data, "getlist", None)
        return getlist(self.prefix + key) if getlist else [self.data.get(self.prefix + key)]


def group_item_count(question: Question, data: Mapping[str, Any]) -> int:
    """How many items the group's form showed (a hidden field), within its limit."""
    try:
        shown = int(_single(data, f"{question.id}-items") or 0)
    except ValueError:
        shown = 0
    return max(0, min(shown, question.max_items))


def _parse_group(question: Question, data: Mapping[str, Any], files: Mapping[str, Any]) -> Any:
    items = []
    for index in range(group_item_count(question, data)):
        fields = _Prefixed(data, f"{question.id}-{index}-")
        item = {}
        for member in question.questions:
            try:
                item[member.id] = parse_input(member, fields, {})
            except AnswerError as error:
                raise AnswerError(f"{item_name(question, index)}: {error}") from error
        if any(not is_empty(value) for value in item.values()):
            items.append(item)  # a blank item is one the resident left empty
    return items


_PARSERS = {
    "declaration": _parse_declaration,
    "address": _parse_address,
    "group": _parse_group,
    "email": _parse_email,
    "postcode": _parse_postcode,
    "phone": _parse_phone,
    "number": _parse_number,
    "date": _parse_date,
    "checkboxes": _parse_checkboxes,
    "yes_no": _parse_yes_no,
    "file": _parse_file,
}
