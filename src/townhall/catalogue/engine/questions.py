"""Question types: how a stored answer is checked against its definition and
shown back. Turning form input into answers is `inputs`.

An answer is JSON: a string, number, bool, list of strings, or (for files) a
list of {"id", "name", "size", "type"} records of stored attachments.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from townhall.catalogue.engine.definition import Question

UK_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")
UK_PHONE = re.compile(r"^(\+44|0044|0)\d{9,10}$")
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
ADDRESS_PARTS = ("line1", "line2", "town", "postcode")


def lower_first(label: str) -> str:
    return label[:1].lower() + label[1:]


_QUESTION_OPENING = re.compile(r"^(what is|what are|what's|what was)\s+", re.IGNORECASE)


def _subject(label: str) -> str:
    """What an error message says is missing: 'What is your email address?' gives
    'your email address'; 'Full name' gives 'full name'; a label whose second
    word is capitalised ('National Insurance number') keeps its capitals."""
    text = _QUESTION_OPENING.sub("", label.strip()).rstrip("?").strip()
    words = text.split()
    if len(words) > 1 and words[1][:1].isupper():
        return text
    return lower_first(text)


def _missing_message(question: Question) -> str:
    """The error for an unanswered required question: the author's own wording
    (`required_message`) if given, else one made from the label."""
    if question.required_message:
        return question.required_message
    if question.type == "declaration":
        return f"Confirm that {lower_first(question.label).rstrip('.')}"
    if question.type == "group":
        return f"Add at least {max(question.min_items, 1)} {question.item_label}"
    if question.type == "yes_no":
        return "Select yes or no"
    if question.type in {"radios", "select"}:
        return f"Select {_subject(question.label)}"
    if question.type == "checkboxes":
        return f"Select at least one option for: {question.label.rstrip('?')}"
    if question.type == "file":
        return f"Choose a file for: {question.label.rstrip('?')}"
    return f"Enter {_subject(question.label)}"


def item_name(question: Question, index: int) -> str:
    return f"{question.item_label[:1].upper()}{question.item_label[1:]} {index + 1}"


# ---- checking stored answers ---------------------------------------------


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def check_answer(question: Question, value: Any) -> str | None:
    """The message explaining why `value` is not acceptable, or None if it is."""
    if is_empty(value):
        return _missing_message(question) if question.required else None
    checker = _CHECKERS.get(question.type, _check_text)
    return checker(question, value)


def _check_text(question: Question, value: Any) -> str | None:
    if not isinstance(value, str):
        return f"{question.label.rstrip('?')} must be text"
    label = question.label.rstrip("?")
    limit = question.max_length or (500 if question.type != "textarea" else 5000)
    if len(value) > limit:
        return f"{label} must be {limit} characters or fewer"
    if question.min_length and len(value) < question.min_length:
        return f"{label} must be {question.min_length} characters or more"
    if question.pattern and not re.fullmatch(question.pattern, value):
        return question.pattern_message or f"{label} is not in the right format"
    return None


def _check_declaration(question: Question, value: Any) -> str | None:
    return None if value is True else _missing_message(question)


def _check_address(question: Question, value: Any) -> str | None:
    if not isinstance(value, dict) or set(value) != set(ADDRESS_PARTS):
        return "Enter the address"
    if not all(isinstance(v, str) and len(v) <= 200 for v in value.values()):
        return "Each line of the address must be 200 characters or fewer"
    if not value["line1"]:
        return "Enter the first line of the address"
    if not value["town"]:
        return "Enter the town or city"
    return _check_postcode(question, value["postcode"])


def _check_group(question: Question, value: Any) -> str | None:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        return _missing_message(question)
    if len(value) > question.max_items:
        return f"You can add up to {question.max_items} {question.item_label}s"
    if len(value) < question.min_items:
        return _missing_message(question)
    members = {member.id for member in question.questions}
    for index, item in enumerate(value):
        if not set(item) <= members:
            return f"{item_name(question, index)}: unexpected answers"
        for member in question.questions:
            if (message := check_answer(member, item.get(member.id))) is not None:
                return f"{item_name(question, index)}: {message}"
    return None


def _check_email(question: Question, value: Any) -> str | None:
    if not isinstance(value, str) or len(value) > 254:
        return "Enter an email address in the correct format, like name@example.com"
    try:
        validate_email(value)
    except ValidationError:
        return "Enter an email address in the correct format, like name@example.com"
    return None


def _check_postcode(question: Question, value: Any) -> str | None:
    if not isinstance(value, str) or not UK_POSTCODE.fullmatch(value):
        return "Enter a full UK postcode, like SW1A 2AA"
    return None


def _check_phone(question: Question, value: Any) -> str | None:
    if not isinstance(value, str) or not UK_PHONE.fullmatch(value):
        return "Enter a UK phone number, like 01632 960 001 or 07700 900 982"
    return None


def _check_number(question: Question, value: Any) -> str | None:
    label = question.label.rstrip("?")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"{label} must be a number"
    if isinstance(value, float) and not math.isfinite(value):
        return f"{label} must be a number"
    if question.min is not None and value < question.min:
        return f"{label} must be {question.min:g} or more"
    if question.max is not None and value > question.max:
        return f"{label} must be {question.max:g} or less"
    return None


def _check_date(question: Question, value: Any) -> str | None:
    label = question.label.rstrip("?")
    try:
        day = dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return f"{label} must be a real date"
    today = timezone.localdate()
    if question.date == "past" and day > today:
        return f"{label} must be today or in the past"
    if question.date == "future" and day < today:
        return f"{label} must be today or in the future"
    return None


def _check_choice(question: Question, value: Any) -> str | None:
    if not isinstance(value, str) or value not in {o.value for o in question.options}:
        return _missing_message(question)
    return None


def _check_checkboxes(question: Question, value: Any) -> str | None:
    allowed = {o.value for o in question.options}
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return _missing_message(question)
    if not set(value) <= allowed or len(set(value)) != len(value):
        return _missing_message(question)
    return None


def _check_yes_no(question: Question, value: Any) -> str | None:
    return None if isinstance(value, bool) else _missing_message(question)


def _check_files(question: Question, value: Any) -> str | None:
    if not isinstance(value, list) or len(value) > question.max_files:
        return f"Select up to {question.max_files} files"
    allowed = question.accept or tuple(FILE_SIGNATURES)
    for record in value:
        if not _is_file_record(record) or record["type"] not in allowed:
            return "The file is not of a type this question accepts"
        if record["size"] > question.max_size_mb * 1024 * 1024:
            return f"Files must be smaller than {question.max_size_mb:g}MB"
    return None


def _is_file_record(record: Any) -> bool:
    """A record of a stored attachment, as the case services write it."""
    return (
        isinstance(record, dict)
        and all(isinstance(record.get(key), str) for key in ("id", "name", "type"))
        and isinstance(record.get("size"), int)
        and not isinstance(record.get("size"), bool)
    )


_CHECKERS = {
    "declaration": _check_declaration,
    "address": _check_address,
    "group": _check_group,
    "email": _check_email,
    "postcode": _check_postcode,
    "phone": _check_phone,
    "number": _check_number,
    "date": _check_date,
    "radios": _check_choice,
    "select": _check_choice,
    "checkboxes": _check_checkboxes,
    "yes_no": _check_yes_no,
    "file": _check_files,
}


# ---- showing answers -------------------------------------------------------


def display_answer(question: Question, value: Any) -> str:
    """A plain-text rendering of an answer for summaries, emails and staff."""
    if is_empty(value):
        return "Not provided"
    if question.type in {"radios", "select"}:
        return question.option_label(value)
    if question.type == "checkboxes":
        return ", ".join(question.option_label(v) for v in value)
    if question.type == "yes_no":
        return "Yes" if value else "No"
    if question.type == "date":
        return dt.date.fromisoformat(value).strftime("%-d %B %Y")
    if question.type == "file":
        return ", ".join(record["name"] for record in value)
    if question.type == "number":
        return f"{value:g}" if isinstance(value, float) else str(value)
    if question.type == "declaration":
        return "Confirmed"
    if question.type == "address":
        return "\n".join(part for part in value.values() if part)
    if question.type == "group":
        return "\n".join(
            f"{item_name(question, i)}: "
            + ", ".join(
                display_answer(m, item.get(m.id))
                for m in question.questions
                if not is_empty(item.get(m.id))
            )
            for i, item in enumerate(value)
        )
    return str(value)
