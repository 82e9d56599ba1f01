"""Answers a council has chosen to publish (`publishable: true` on a
question), as public reports and open data show them.

Only the question types in `validation.PUBLISHABLE_TYPES` may be marked, so
names, contact details, addresses, files and exact places never are. Words a
resident typed can still hold an email address or a phone number ("call me
on 07700 900123"): those are replaced before anything is published."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import phonenumbers
from django.utils.translation import gettext as _

from townhall.catalogue.engine.definition import ServiceDefinition
from townhall.catalogue.engine.questions import display_answer, is_empty
from townhall.catalogue.engine.validation import PUBLISHABLE_TYPES

EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
MAX_LENGTH = 1000
MIN_PHONE_DIGITS = 9


@dataclass(frozen=True)
class PublishedAnswer:
    question_id: str
    label: str
    text: str


def scrub(text: str) -> str:
    """`text` with email addresses and UK or international phone numbers
    replaced by a note that they were removed."""
    text = EMAIL.sub(_("[email address removed]"), text)
    matches = list(
        phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.POSSIBLE)
    )
    # Anything dialable, valid or not (a made-up or mistyped number is still
    # someone's), but not a lamp post's or a bin's short number.
    matches = [m for m in matches if sum(c.isdigit() for c in m.raw_string) >= MIN_PHONE_DIGITS]
    for match in reversed(matches):
        text = text[: match.start] + _("[phone number removed]") + text[match.end :]
    return text


def published_answers(
    definition: ServiceDefinition, answers: Mapping[str, Any]
) -> list[PublishedAnswer]:
    """The answers of `definition`'s publishable questions, in page order."""
    published = []
    for _page, question in definition.questions():
        if not question.publishable or question.type not in PUBLISHABLE_TYPES:
            continue
        value = answers.get(question.id)
        if is_empty(value):
            continue
        text = scrub(str(display_answer(question, value)))[:MAX_LENGTH]
        published.append(PublishedAnswer(question.id, str(question.label), text))
    return published


def published_text(definition: ServiceDefinition, answers: Mapping[str, Any]) -> str:
    """The published answers as one text for a file's column: "label: text"
    lines."""
    return "\n".join(f"{a.label}: {a.text}" for a in published_answers(definition, answers))
