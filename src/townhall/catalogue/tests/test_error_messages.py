"""Every error every question of every standard service can show follows the
GOV.UK Design System's guidance on error messages: it names the answer in the
question's own words (its `error_name`, or the author's own message), never
repeats the question (no question marks, no "(optional)"), and is in sentence
case with no full stop at the end."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from townhall.catalogue.engine.definition import Question, parse_definition
from townhall.catalogue.engine.types import question_type
from townhall.catalogue.standard import standard_definitions

# Words that keep their capital letter in the middle of a sentence.
PROPER = {
    "UK", "JPG", "PNG", "GIF", "PDF", "WEBP", "MB", "SW1A", "AA", "AB", "C", "National",
    "Insurance", "Council", "Tax", "Reduction", "Blue", "Badge", "Monday", "Friday",
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December", "None", "Department", "Work", "Pensions", "SL12A",
}  # fmt: skip
WORD = re.compile("[A-Za-z][A-Za-z0-9'\u2019-]*")
GENERIC = {"Enter an answer", "Select an option", "Enter a date", "Enter a number"}


def all_questions(questions: tuple[Question, ...]) -> Iterator[Question]:
    for question in questions:
        yield question
        yield from all_questions(question.questions)


def every_message() -> list[tuple[str, Question, str, str]]:
    found = []
    for path, data in standard_definitions():
        service = parse_definition(data)
        for question in all_questions(tuple(q for _page, q in service.questions())):
            kind = question_type(question.type)
            for key, message in kind.message_examples(question).items():
                found.append((f"{path.stem}:{question.id}:{key}", question, key, message))
    return found


MESSAGES = every_message()


def problems_with(message: str) -> list[str]:
    problems = []
    if "?" in message:
        problems.append("has a question mark")
    if "(optional)" in message.lower():
        problems.append("says (optional)")
    if message.rstrip().endswith("."):
        problems.append("ends with a full stop")
    if not message[:1].isupper():
        problems.append("does not start with a capital letter")
    for word in WORD.findall(message)[1:]:
        if word[0].isupper() and word not in PROPER:
            problems.append(f"has a capital letter in the middle of a sentence ({word})")
    if "%(" in message:
        problems.append("has a placeholder left in it")
    return problems


@pytest.mark.parametrize(
    ("where", "question", "key", "message"), MESSAGES, ids=[m[0] for m in MESSAGES]
)
def test_every_error_message_follows_the_rules(where, question, key, message):
    assert problems_with(message) == [], f"{where}: {message!r}"


def test_every_standard_question_has_a_short_name_for_its_messages():
    unnamed = [where for where, question, key, _m in MESSAGES if not question.setting("error_name")]
    assert unnamed == []


@pytest.mark.parametrize(
    ("where", "question", "key", "message"),
    [m for m in MESSAGES if m[2] == "required"],
    ids=[m[0] for m in MESSAGES if m[2] == "required"],
)
def test_the_message_for_a_missing_answer_names_the_answer(where, question, key, message):
    assert message not in GENERIC
    if not question.setting("required_message"):
        assert question.setting("error_name").lower() in message.lower()


def test_the_rules_catch_messages_built_from_labels():
    assert problems_with("Enter Your National Insurance number")
    assert problems_with("When did you see it? must be today or in the past")
    assert problems_with("About how deep is it (optional) must be 1 or more")
    assert problems_with("virus.jpg must be a JPG, PNG")
    assert problems_with("Enter a real postcode, like SW1A 2AA.")
    assert not problems_with("Enter where you saw the fly-tipping")
    assert not problems_with("Your date of birth must be the same as or after 1 January 1900")


def test_a_name_for_messages_words_the_defaults_and_an_own_message_wins():
    date = Question(id="seen", type="date", label="When did you see it?",
                    extra={"error_name": "the date you saw it"})  # fmt: skip
    kind = question_type("date")
    assert kind.message(date, "required") == "Enter the date you saw it"
    assert kind.message(date, "invalid") == "The date you saw it must be a real date"
    assert kind.message(date, "no_month") == "The date you saw it must include a month"
    own = Question(id="seen", type="date", label="When did you see it?",
                   extra={"error_name": "the date you saw it",
                          "no_month_message": "Say which month you saw it in"})  # fmt: skip
    assert kind.message(own, "no_month") == "Say which month you saw it in"
    assert kind.message(own, "invalid") == "The date you saw it must be a real date"
    bare = Question(id="seen", type="date", label="When did you see it?")
    assert kind.message(bare, "required") == "Enter a date"


def test_every_standard_service_error_is_in_the_catalogue_of_examples():
    # Each type's messages are reached: a service question of each type shows them.
    types = {question.type for _w, question, _k, _m in MESSAGES}
    assert {"date", "number", "text", "file", "checkboxes", "yes_no", "address"} <= types
    assert len(MESSAGES) > 400
