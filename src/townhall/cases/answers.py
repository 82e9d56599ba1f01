"""Checking a whole set of answers at once, as a machine front end sends them
(see `journey.case_create`), and the declaration every submission must carry.

Every problem is named by its field path: the question's id, then an
address's part or a group's item and question, like `home.postcode` or
`members[1].age`. The rules themselves are the form engine's; this module
only tidies what was sent the way the web form does, refuses what the web
form could never send (a question the service does not ask, an answer to a
question not asked on this route, files) and says where each problem is.
Plain Python over plain data: no database, no request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from townhall.catalogue.engine import flow
from townhall.catalogue.engine.conditions import ConditionContext
from townhall.catalogue.engine.definition import Question, ServiceDefinition
from townhall.catalogue.engine.inputs import AnswerError, parse_input
from townhall.catalogue.engine.questions import check_answer, is_empty
from townhall.catalogue.engine.validation import CONTROL_CHARACTERS, field_path

DECLARATION = "declaration"  # the field path of the service's declaration


def declaration_problem(definition: ServiceDefinition, declaration: object) -> str | None:
    """Why the service's declaration is not confirmed, or None. It must be
    confirmed explicitly (`True`, not a truthy "yes" or 1) when the service has one."""
    if definition.declaration and declaration is not True:
        return _("Confirm the declaration to send your application")
    return None


@dataclass(frozen=True)
class CheckedAnswers:
    answers: dict[str, Any]  # tidied, and only those on the route the answers take
    problems: dict[str, str]  # field path -> message; empty when acceptable


def answers_check(
    *,
    definition: ServiceDefinition,
    answers: object,
    declaration: object,
    context: ConditionContext | None = None,
    uploaded: frozenset[str] = frozenset(),
) -> CheckedAnswers:
    """Check a whole answers document (question id -> answer, as JSON) against
    `definition`: the route and conditions it leads to, required answers, each
    type's checks, exit pages, the declaration, and anything unexpected. The
    answers to the file questions in `uploaded` are records of files sent
    beside the document (`uploads.provisional_records`), already read."""
    if not isinstance(answers, Mapping) or not all(isinstance(key, str) for key in answers):
        message = _("Send the answers as an object whose keys are the questions' ids")
        return CheckedAnswers(answers={}, problems={"answers": message})
    asked = {question.id: question for _page, question in definition.questions()}
    given = {key: _tidied(asked[key], value) for key, value in answers.items() if key in asked}
    on_route = flow.relevant_answers(definition, given, context=context)
    problems: dict[str, str] = {}
    for key, message in flow.validate_answers(definition, on_route, context=context).items():
        if key in asked:
            problems.update(_located(asked[key], on_route.get(key), key, message, context))
        else:
            problems[key] = message  # an exit page, named by its id
    for key, value in given.items():
        if asked[key].type == "file" and not is_empty(value) and key not in uploaded:
            problems[key] = _("Files cannot be sent with the answers yet; use the online form")
        elif key not in on_route and not is_empty(value):
            problems[key] = _("This question is not asked when the other answers are these")
    for key in answers:
        if key not in asked:
            problems[key] = _("This service does not ask this question")
    if declaration is not None and not isinstance(declaration, bool):
        problems[DECLARATION] = _("Give the declaration as true or false")
    elif (unconfirmed := declaration_problem(definition, declaration)) is not None:
        problems[DECLARATION] = unconfirmed
    return CheckedAnswers(answers=on_route, problems=problems)


def _clean(text: str) -> str:
    return CONTROL_CHARACTERS.sub("", text).strip()


def _tidied(question: Question, value: Any) -> Any:
    """The answer as the web form would have stored it: text trimmed and without
    control characters, and tidied as its question type tidies typed input
    (emails in lower case, postcodes spaced, phone separators dropped)."""
    if isinstance(value, str):
        return _tidied_text(question, value)
    if isinstance(value, list) and question.type == "group":
        members = {member.id: member for member in question.questions}
        return [
            {k: _tidied(members[k], v) if k in members else v for k, v in item.items()}
            if isinstance(item, dict)
            else item
            for item in value
        ]
    if isinstance(value, list):
        return [_clean(item) if isinstance(item, str) else item for item in value]
    if isinstance(value, dict) and question.type == "address":
        # The form always sends every part, an optional one left blank.
        postcode = Question(id="postcode", type="postcode", label="")
        parts = {
            part: (_tidied_text(postcode, text) if part == "postcode" else _clean(text))
            if isinstance(text, str)
            else text
            for part, text in {**dict.fromkeys(_GOOD_ADDRESS, ""), **value}.items()
        }
        return parts if any(parts.values()) else ""  # no part given: not answered
    return value


def _tidied_text(question: Question, text: str) -> Any:
    """Typed text read by the question type's own form parser, when the type
    takes one text field; otherwise (a date, yes or no, a number) the text is
    kept, only cleaned, and the type's check says whether it is acceptable:
    a number sent as "12" is refused like any answer that is not a number."""
    try:
        parsed = parse_input(question, {question.id: text}, {})
    except AnswerError:
        return _clean(text)
    if isinstance(parsed, str) and (parsed or not _clean(text)):
        return parsed
    return _clean(text)


# A complete, acceptable address: each part of an address that was sent is
# checked by the address type with the other parts taken from here, so the
# type's own rules say which parts are wrong and each is named by its path.
_GOOD_ADDRESS = {"line1": "1 High Street", "line2": "", "town": "Town", "postcode": "SW1A 2AA"}


def _located(
    question: Question,
    value: Any,
    path: str,
    message: str,
    context: ConditionContext | None = None,
) -> dict[str, str]:
    """Where within an answer its problems are: a group's items and their
    questions, an address's parts; otherwise the answer as a whole."""
    found: dict[str, str] = {}
    if question.type == "group" and isinstance(value, list):
        members = {member.id: member for member in question.questions}
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                return {path: message}
            for key in item:
                if key not in members:
                    found[field_path([path, index, key])] = _("This question is not in the group")
            for member in question.questions:
                if (problem := check_answer(member, item.get(member.id), context)) is not None:
                    found[field_path([path, index, member.id])] = problem
        # The group's own rule, how many items, is reported beside its items'.
        if found and not question.min_items <= len(value) <= question.max_items:
            found = {path: message, **found}
    elif question.type == "address" and isinstance(value, dict):
        for part in value:
            if part not in _GOOD_ADDRESS:
                found[field_path([path, part])] = _("An address has no such part")
        for part in _GOOD_ADDRESS:
            probe = {**_GOOD_ADDRESS, part: value.get(part, "")}
            if (problem := check_answer(question, probe, context)) is not None:
                found[field_path([path, part])] = problem
    return found or {path: message}
