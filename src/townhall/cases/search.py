"""Finding a resident's cases again: by reference, email, phone, name,
postcode or free text.

When a case opens, `search_keys` copies what its answers say about the
resident into normalised columns (`Case.search_*`), so each kind of search is
one indexed equality; the rest of what was written goes into `search_text`,
which PostgreSQL searches with full-text search over a GIN index (the
"simple" configuration: no stemming, so names and postcodes match as typed).
SQLite, the embedded default for small councils, has no GIN: there the same
search is a case-insensitive substring match on that column, fast enough at
the tens of thousands of cases SQLite is meant for (see ADR 0034).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q

from townhall.catalogue.engine.definition import ServiceDefinition
from townhall.catalogue.engine.types.postcode import is_postcode, normalise_postcode

SEARCH_TEXT_LENGTH = 4000
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
PHONE_SEPARATORS = re.compile(r"[\s().-]")
PHONE = re.compile(r"^(?:\+44|0044|0)\d{9,10}$")
POSTCODE_IN_TEXT = re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}\b")


def normalise_email(text: str) -> str:
    return text.strip().lower()


def normalise_phone(text: str) -> str:
    """A UK number as the phone question stores it (national digits, 07700900982),
    or "" if `text` is not shaped like one."""
    raw = PHONE_SEPARATORS.sub("", text.strip().replace("(0)", ""))
    if not PHONE.match(raw):
        return ""
    if raw.startswith("+44"):
        return "0" + raw[3:]
    if raw.startswith("0044"):
        return "0" + raw[4:]
    return raw


def _postcode_of(value: Any) -> str:
    """The postcode an answer gives: an address's or a found place's, or one
    written in a description ("Behind the shops, OX1 1AA")."""
    if isinstance(value, Mapping):
        value = value.get("postcode") or value.get("text") or ""
    text = normalise_postcode(str(value or ""))
    if is_postcode(text):
        return text
    written = POSTCODE_IN_TEXT.search(str(value or "").upper())
    return normalise_postcode(written.group(0)) if written else ""


def _text_of(value: Any) -> str:
    if isinstance(value, Mapping):
        return " ".join(str(v) for v in value.values() if isinstance(v, str | int))
    if isinstance(value, list):
        return " ".join(_text_of(v) for v in value if not isinstance(v, Mapping))
    return str(value)


def search_keys(
    *, definition: ServiceDefinition, answers: Mapping[str, Any], summary: str = ""
) -> dict[str, str]:
    """The `Case.search_*` values for a case with these answers: the first
    email, phone, name and postcode the answers give, and their free text."""
    found = {"email": "", "phone": "", "name": "", "postcode": ""}
    words: list[str] = [summary]
    for _page, question in definition.questions():
        value = answers.get(question.id)
        if value in (None, "", [], {}):
            continue
        kind = question.type
        if kind == "email" and not found["email"]:
            found["email"] = normalise_email(str(value))
        elif kind == "phone" and not found["phone"]:
            found["phone"] = normalise_phone(str(value))
        elif kind == "name" and not found["name"]:
            found["name"] = str(value).strip()[:200]
        elif kind in {"postcode", "address", "location"} and not found["postcode"]:
            found["postcode"] = _postcode_of(value)
        if kind in {
            "email",
            "phone",
            "name",
            "postcode",
            "address",
            "location",
            "text",
            "textarea",
        }:
            words.append(_text_of(value))
    return {
        "search_email": found["email"][:254],
        "search_phone": found["phone"][:20],
        "search_name": found["name"],
        "search_postcode": found["postcode"][:10],
        "search_text": " ".join(w for w in words if w)[:SEARCH_TEXT_LENGTH],
    }


@dataclass(frozen=True)
class Search:
    """What a typed search is taken to be, and the condition that finds it."""

    kind: str  # email, phone, postcode or text
    condition: Q | None  # None: a full-text search (see `apply`)
    text: str


def understand(typed: str) -> Search | None:
    """Read a search box: an email, a UK phone number, a postcode, or words
    (a name, a street, what was reported). None for nothing worth searching."""
    text = " ".join(typed.split())[:100]
    if len(text) < 2:
        return None
    if EMAIL.match(text):
        return Search("email", Q(search_email=normalise_email(text)), text)
    if phone := normalise_phone(text):
        return Search("phone", Q(search_phone=phone), text)
    postcode = normalise_postcode(text)
    if is_postcode(postcode):
        return Search("postcode", Q(search_postcode=postcode), text)
    return Search("text", None, text)


def apply(cases: Any, search: Search) -> Any:
    """`cases` narrowed to those the search finds."""
    if search.condition is not None:
        return cases.filter(search.condition)
    if connection.vendor == "postgresql":
        # The same expression as the GIN index `case_search_text`, so it is used.
        return cases.alias(document=SearchVector("search_text", config="simple")).filter(
            document=SearchQuery(search.text, config="simple", search_type="plain")
        )
    condition = Q()
    for word in search.text.split()[:8]:
        condition &= Q(search_text__icontains=word)
    return cases.filter(condition)
