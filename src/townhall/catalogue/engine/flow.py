"""The route through a service: which pages a resident sees, in what order,
and whether a set of answers is complete and acceptable."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from townhall.catalogue.engine.conditions import ConditionContext, condition_holds
from townhall.catalogue.engine.definition import Page, Question, ServiceDefinition
from townhall.catalogue.engine.questions import check_answer, display_answer, is_empty

# Every function below takes an optional `context` for its conditions (today's
# date, the council, the place hook); without one, conditions see the answers
# and today's date only. The answers are always the ones the function is given.


def visible_questions(
    page: Page, answers: Mapping[str, Any], *, context: ConditionContext | None = None
) -> list[Question]:
    context = _context(answers, context)
    return [q for q in page.questions if condition_holds(q.when, answers, context)]


def _context(answers: Mapping[str, Any], context: ConditionContext | None) -> ConditionContext:
    return ConditionContext(answers=answers) if context is None else context


def _walk(
    definition: ServiceDefinition,
    answers: Mapping[str, Any],
    context: ConditionContext | None = None,
) -> tuple[list[Page], dict]:
    """Follow the resident's route: pages shown when their conditions hold, `goto`
    rules skipping ahead, an exit page ending the journey. Conditions see only
    answers given earlier on this route, so an answer left behind on a page the
    resident no longer visits changes nothing."""
    pages = definition.pages
    position = {page.id: i for i, page in enumerate(pages)}
    kept: dict[str, Any] = {}
    context = _context(kept, context)
    walked: list[Page] = []
    i = 0
    while i < len(pages):
        page = pages[i]
        i += 1
        if not condition_holds(page.when, kept, context):
            continue
        shown = False
        for question in page.questions:
            if condition_holds(question.when, kept, context):
                shown = True
                if question.id in answers:
                    kept[question.id] = answers[question.id]
        if not (shown or page.is_exit):
            continue
        walked.append(page)
        if page.is_exit:
            break
        target = next(
            (rule.page for rule in page.goto if condition_holds(rule.when, kept, context)), None
        )
        if target is not None:
            i = position[target]
    return walked, kept


def route(
    definition: ServiceDefinition,
    answers: Mapping[str, Any],
    *,
    context: ConditionContext | None = None,
) -> list[Page]:
    """The pages a resident with these answers is asked, in order."""
    return _walk(definition, answers, context)[0]


def relevant_answers(
    definition: ServiceDefinition,
    answers: Mapping[str, Any],
    *,
    context: ConditionContext | None = None,
) -> dict[str, Any]:
    """Only the answers to questions on the current route: an answer left behind
    by a changed earlier choice is neither kept nor checked."""
    return _walk(definition, answers, context)[1]


def page_errors(
    page: Page, answers: Mapping[str, Any], *, context: ConditionContext | None = None
) -> dict[str, str]:
    return {
        q.id: message
        for q in visible_questions(page, answers, context=context)
        if (message := check_answer(q, answers.get(q.id), context)) is not None
    }


def first_incomplete_page(
    definition: ServiceDefinition,
    answers: Mapping[str, Any],
    *,
    context: ConditionContext | None = None,
) -> Page | None:
    """The first page still needing an answer, not yet seen (a page is seen once
    its answers, even empty optional ones, are stored), or the exit page the
    answers lead to; None when the answers are complete."""
    context = _context(answers, context)
    for page in route(definition, answers, context=context):
        shown = visible_questions(page, answers, context=context)
        unseen = not any(q.id in answers for q in shown)
        if page.is_exit or unseen or page_errors(page, answers, context=context):
            return page
    return None


def next_page(
    definition: ServiceDefinition,
    answers: Mapping[str, Any],
    current: Page,
    *,
    context: ConditionContext | None = None,
) -> Page | None:
    """The page after `current` on this resident's route, or None for check answers."""
    pages = route(definition, answers, context=context)
    ids = [p.id for p in pages]
    if current.id not in ids:
        return first_incomplete_page(definition, answers, context=context)
    following = pages[ids.index(current.id) + 1 :]
    return following[0] if following else None


def previous_page(
    definition: ServiceDefinition,
    answers: Mapping[str, Any],
    current: Page,
    *,
    context: ConditionContext | None = None,
) -> Page | None:
    pages = route(definition, answers, context=context)
    ids = [p.id for p in pages]
    if current.id not in ids or ids.index(current.id) == 0:
        return None
    return pages[ids.index(current.id) - 1]


def validate_answers(
    definition: ServiceDefinition,
    answers: Mapping[str, Any],
    *,
    context: ConditionContext | None = None,
) -> dict[str, str]:
    """Every problem with a complete set of answers, by question id (empty: acceptable)."""
    pages, relevant = _walk(definition, answers, context)
    errors: dict[str, str] = {}
    for page in pages:
        if page.is_exit:
            errors[page.id] = "These answers lead to an exit page: the service cannot be used"
        errors.update(page_errors(page, relevant, context=context))
    return errors


@dataclass(frozen=True)
class SummaryRow:
    page: Page
    question: Question
    value: Any
    text: str


def summary(
    definition: ServiceDefinition,
    answers: Mapping[str, Any],
    *,
    context: ConditionContext | None = None,
) -> list[SummaryRow]:
    """Rows for check-your-answers, emails and the staff view."""
    pages, relevant = _walk(definition, answers, context)
    return [
        SummaryRow(page, q, relevant.get(q.id), display_answer(q, relevant.get(q.id)))
        for page in pages
        for q in visible_questions(page, relevant, context=context)
    ]


def case_summary_line(definition: ServiceDefinition, answers: Mapping[str, Any]) -> str:
    """A one-line description of a case for queues: the question marked `summary`."""
    for _page, question in definition.questions():
        if question.summary and not is_empty(answers.get(question.id)):
            return display_answer(question, answers[question.id])[:200]
    return ""
