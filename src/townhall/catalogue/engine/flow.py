"""The route through a service: which pages a resident sees, in what order,
and whether a set of answers is complete and acceptable."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from townhall.catalogue.engine.conditions import condition_holds
from townhall.catalogue.engine.definition import Page, Question, ServiceDefinition
from townhall.catalogue.engine.questions import check_answer, display_answer, is_empty


def visible_questions(page: Page, answers: Mapping[str, Any]) -> list[Question]:
    return [q for q in page.questions if condition_holds(q.when, answers)]


def route(definition: ServiceDefinition, answers: Mapping[str, Any]) -> list[Page]:
    """The pages a resident with these answers is asked, in order."""
    return [
        page
        for page in definition.pages
        if condition_holds(page.when, answers) and visible_questions(page, answers)
    ]


def relevant_answers(definition: ServiceDefinition, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Only the answers to questions on the current route: an answer left behind
    by a changed earlier choice is neither kept nor checked."""
    kept: dict[str, Any] = {}
    for page in definition.pages:
        if not condition_holds(page.when, kept):
            continue
        for question in page.questions:
            if condition_holds(question.when, kept) and question.id in answers:
                kept[question.id] = answers[question.id]
    return kept


def page_errors(page: Page, answers: Mapping[str, Any]) -> dict[str, str]:
    return {
        q.id: message
        for q in visible_questions(page, answers)
        if (message := check_answer(q, answers.get(q.id))) is not None
    }


def first_incomplete_page(definition: ServiceDefinition, answers: Mapping[str, Any]) -> Page | None:
    """The first page still needing an answer; None when the answers are complete."""
    for page in route(definition, answers):
        if page_errors(page, answers):
            return page
    return None


def next_page(
    definition: ServiceDefinition, answers: Mapping[str, Any], current: Page
) -> Page | None:
    """The page after `current` on this resident's route, or None for check answers."""
    pages = route(definition, answers)
    ids = [p.id for p in pages]
    if current.id not in ids:
        return first_incomplete_page(definition, answers)
    following = pages[ids.index(current.id) + 1 :]
    return following[0] if following else None


def previous_page(
    definition: ServiceDefinition, answers: Mapping[str, Any], current: Page
) -> Page | None:
    pages = route(definition, answers)
    ids = [p.id for p in pages]
    if current.id not in ids or ids.index(current.id) == 0:
        return None
    return pages[ids.index(current.id) - 1]


def validate_answers(definition: ServiceDefinition, answers: Mapping[str, Any]) -> dict[str, str]:
    """Every problem with a complete set of answers, by question id (empty: acceptable)."""
    relevant = relevant_answers(definition, answers)
    errors: dict[str, str] = {}
    for page in route(definition, relevant):
        errors.update(page_errors(page, relevant))
    return errors


@dataclass(frozen=True)
class SummaryRow:
    page: Page
    question: Question
    value: Any
    text: str


def summary(definition: ServiceDefinition, answers: Mapping[str, Any]) -> list[SummaryRow]:
    """Rows for check-your-answers, emails and the staff view."""
    relevant = relevant_answers(definition, answers)
    return [
        SummaryRow(page, q, relevant.get(q.id), display_answer(q, relevant.get(q.id)))
        for page in route(definition, relevant)
        for q in visible_questions(page, relevant)
    ]


def case_summary_line(definition: ServiceDefinition, answers: Mapping[str, Any]) -> str:
    """A one-line description of a case for queues: the question marked `summary`."""
    for _page, question in definition.questions():
        if question.summary and not is_empty(answers.get(question.id)):
            return display_answer(question, answers[question.id])[:200]
    return ""
