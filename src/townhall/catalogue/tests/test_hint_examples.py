"""What a question shows as an example passes that question's own checks: a
resident who types the example in is not told it is wrong.

The convention for finding examples, in a question's hint and in each of its
messages (the author's own or its type's): an example follows "For example,"
(or "for example") or ", like", and runs to the end of its sentence; " or "
separates several, and quotes around one are dropped. A date is written as
its three boxes are filled in, day month year ("27 3 2026").

Only typed answers are tried: for choices, yes or no, declarations and files,
a hint describes what to choose or send, and there is nothing to type.
Examples the convention cannot read are written out in WRITTEN_OUT.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest

from townhall.catalogue.engine.definition import Question, parse_definition
from townhall.catalogue.engine.inputs import AnswerError, parse_input
from townhall.catalogue.engine.questions import check_answer
from townhall.catalogue.engine.types import question_type
from townhall.catalogue.standard import standard_definitions

# The day the catalogue's date examples were written for: "For example,
# 27 3 2026" is both today-or-earlier and today-or-later on that day only.
TODAY = dt.date(2026, 3, 27)
TYPED = {"text", "textarea", "location", "name", "email", "phone", "postcode", "number", "date"}
QUOTES = "\"'\u201c\u201d\u2018\u2019"
EXAMPLE = re.compile(r"(?:\b[Ff]or example,?|, like) (.+?)(?:\.(?:\s|$)|$)")
# (service, question id): the example as a resident would type it.
WRITTEN_OUT = {
    # "For example, a sofa and 2 armchairs is 3 items."
    ("book-a-bulky-waste-collection", "item_count"): ["3"],
}


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


def examples_in(text: str) -> list[str]:
    """The examples `text` gives, by the convention above."""
    found = []
    for match in EXAMPLE.finditer(text):
        for example in match.group(1).split(" or "):
            found.append(example.strip().strip(QUOTES))
    return [example for example in found if example]


def words_shown(question: Question) -> list[str]:
    """The hint and every message the question can show, as the resident reads them."""
    kind = question_type(question.type)
    shown = [question.hint] if question.hint else []
    for key in kind.messages:
        try:
            shown.append(kind.message(question, key))
        except (KeyError, TypeError):  # a message about a limit needs its number
            continue
    return shown


def all_questions(questions: tuple[Question, ...]) -> Iterator[Question]:
    for question in questions:
        yield question
        yield from all_questions(question.questions)


def catalogue_examples() -> list[tuple[str, Question, str]]:
    found = []
    for path, data in standard_definitions():
        service = parse_definition(data)
        for question in all_questions(tuple(q for _page, q in service.questions())):
            if question.type not in TYPED:
                continue
            examples = WRITTEN_OUT.get((path.stem, question.id)) or list(
                dict.fromkeys(ex for text in words_shown(question) for ex in examples_in(text))
            )
            found += [(f"{path.stem}:{question.id}", question, ex) for ex in examples]
    return found


EXAMPLES = catalogue_examples()


def typed_in(question: Question, example: str) -> dict[str, str]:
    """The form fields a resident fills in to type `example`."""
    if question.type == "date":
        parts = dict(zip(("day", "month", "year"), example.split(), strict=True))
        return {f"{question.id}-{part}": value for part, value in parts.items()}
    return {question.id: example}


@pytest.mark.parametrize(
    ("where", "question", "example"), EXAMPLES, ids=[f"{w}:{e}" for w, _q, e in EXAMPLES]
)
def test_an_example_a_question_gives_passes_its_checks(where, question, example):
    try:
        answer = parse_input(question, typed_in(question, example), {})
    except AnswerError as error:
        pytest.fail(f"{where}: the example {example!r} is refused: {error}")
    assert check_answer(question, answer) is None, f"{where}: {example!r}"


def test_the_convention_finds_the_examples_that_matter():
    found = {(where, example) for where, _question, example in EXAMPLES}
    assert {
        ("apply-for-a-blue-badge:ni_number", "AB 12 34 56 C"),
        ("apply-for-council-tax-reduction:partner_ni_number", "AB 12 34 56 C"),
        ("report-a-street-light-fault:light_number", "12"),
        ("report-a-street-light-fault:light_number", "SL12A"),
        ("renew-library-books:card_number", "20012345678901"),
        ("make-a-general-enquiry:account_number", "12345678"),
        ("make-a-freedom-of-information-request:title", "Pothole repairs in 2025"),
        ("apply-for-a-blue-badge:applicant_dob", "27 3 1955"),
        ("book-a-bulky-waste-collection:preferred_date", "30 3 2026"),
        ("book-a-bulky-waste-collection:item_count", "3"),
        ("apply-for-a-blue-badge:phone", "01632 960 001"),
        ("apply-for-a-blue-badge:phone", "07700 900 982"),
        ("apply-for-a-blue-badge:email", "name@example.com"),
        ("report-anti-social-behaviour:postcode", "SW1A 2AA"),
    } <= found


@pytest.mark.parametrize(
    ("text", "examples"),
    [
        ("It is on the card. For example, QQ 12 34 56 C. Not for children.", ["QQ 12 34 56 C"]),
        ("Enter a UK phone number, like 01632 960 001 or 07700 900 982",
         ["01632 960 001", "07700 900 982"]),
        ('For example, "Pothole repairs in 2025".', ["Pothole repairs in 2025"]),
        ("The long number on your card, for example 20012345678901.", ["20012345678901"]),
        ("Items must be outside, for example in your garden", ["in your garden"]),
        ("Select what you would like to book", []),
        ("About 1.5 metres from the ground.", []),
    ],
)  # fmt: skip
def test_examples_are_found_by_the_convention(text, examples):
    assert examples_in(text) == examples
