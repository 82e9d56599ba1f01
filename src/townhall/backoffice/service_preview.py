"""A service version as staff check it before it goes live: each page with its
questions as residents see them, and the rules (conditions, skips, routing,
workflow) in words."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from townhall.catalogue.engine.definition import Page, Question, ServiceDefinition, State
from townhall.catalogue.engine.languages import language_coverage
from townhall.catalogue.engine.validation import field_path
from townhall.web.fields import QuestionField, question_fields


@dataclass(frozen=True)
class QuestionPreview:
    field: QuestionField  # what questions/question.html renders
    when: str  # the question's condition in words, or ""


@dataclass(frozen=True)
class PagePreview:
    number: int
    page: Page
    when: str
    questions: list[QuestionPreview]
    gotos: list[tuple[str, str]]  # (condition in words, the heading of the page skipped to)


@dataclass(frozen=True)
class StatePreview:
    state: State
    initial: bool
    next_states: tuple[State, ...]


@dataclass(frozen=True)
class LanguagePreview:
    name: str  # in the reader's language: "Welsh"
    missing: list[str]  # where each text not written in it is; those are shown in English


def language_previews(data: Mapping[str, Any]) -> list[LanguagePreview]:
    """The languages a version is written in (`data`, as stored), English first,
    each with the texts it lacks."""
    previews = []
    for coverage in language_coverage(data):
        try:
            name = str(get_language_info(coverage.language)["name_translated"])
        except KeyError:  # a code Django does not know
            name = coverage.language
        previews.append(LanguagePreview(name, [field_path(w) for w in coverage.missing]))
    return previews


def _value_text(question: Question | None, value: Any) -> str:
    if question is not None and question.options and isinstance(value, str):
        return f"“{question.option_label(value)}”"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str):
        return f"“{value}”"
    return f"{value:g}" if isinstance(value, float) else str(value)


def condition_text(condition: Mapping[str, Any], questions: Mapping[str, Question]) -> str:
    """A `when` condition in words, naming questions by their labels:
    '“What is the problem?” is “Pothole”'."""

    def part(inner: Mapping[str, Any]) -> str:
        text = condition_text(inner, questions)
        return f"({text})" if {"all", "any"} & inner.keys() else text

    def joined(pattern: str, conditions: list[Mapping[str, Any]]) -> str:
        """Each condition in words, joined pairwise by `pattern` ("A and B and C")."""
        parts = [part(inner) for inner in conditions]
        return reduce(lambda a, b: pattern % {"left": a, "right": b}, parts) if parts else ""

    if "all" in condition:
        return joined(_("%(left)s and %(right)s"), condition["all"])
    if "any" in condition:
        return joined(_("%(left)s or %(right)s"), condition["any"])
    if "not" in condition:
        return _("not %(condition)s") % {"condition": part(condition["not"])}
    question = questions.get(condition["question"])
    name = f"“{question.label}”" if question else condition["question"]
    if "answered" in condition:
        if condition["answered"]:
            return _("%(question)s is answered") % {"question": name}
        return _("%(question)s is not answered") % {"question": name}
    if "in" in condition:
        values = ", ".join(_value_text(question, v) for v in condition["in"]) or _("(nothing)")
        return _("%(question)s is one of %(values)s") % {"question": name, "values": values}
    test, value = next((k, v) for k, v in condition.items() if k != "question")
    pattern = {
        "equals": _("%(question)s is %(value)s"),
        "contains": _("%(question)s includes %(value)s"),
        "greater_than": _("%(question)s is more than %(value)s"),
        "less_than": _("%(question)s is less than %(value)s"),
    }[test]
    return pattern % {"question": name, "value": _value_text(question, value)}


def page_previews(definition: ServiceDefinition) -> list[PagePreview]:
    """Every page, in order, with empty read-only fields for its questions."""
    questions = {question.id: question for _page, question in definition.questions()}

    def words(condition: Mapping[str, Any] | None) -> str:
        return condition_text(condition, questions) if condition else ""

    previews = []
    for number, page in enumerate(definition.pages, start=1):
        fields = question_fields(list(page.questions), {}, {}, {})
        previews.append(
            PagePreview(
                number=number,
                page=page,
                when=words(page.when),
                questions=[QuestionPreview(field, words(field.question.when)) for field in fields],
                gotos=[
                    (words(goto.when), target.heading or target.id)
                    for goto in page.goto
                    if (target := definition.page(goto.page)) is not None
                ],
            )
        )
    return previews


def state_previews(definition: ServiceDefinition) -> list[StatePreview]:
    workflow = definition.workflow
    return [
        StatePreview(state, state.id == workflow.initial, workflow.next_states(state.id))
        for state in workflow.states
    ]


def routing_rules(definition: ServiceDefinition) -> list[tuple[str, str]]:
    """(condition in words, team slug) for each routing rule, in the order tried."""
    questions = {question.id: question for _page, question in definition.questions()}
    return [(condition_text(rule.when, questions), rule.team) for rule in definition.routing.rules]
