"""The one evaluator of conditions. The engine asks it whether a condition
holds, import validation what is wrong with one, and the staff preview for its
words; each question is passed to the operator the condition names."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from townhall.catalogue.engine.conditions.context import ConditionContext
from townhall.catalogue.engine.conditions.registry import (
    Operator,
    operator_named,
    problem,
    registered_operators,
)
from townhall.catalogue.engine.conditions.values import Subject
from townhall.catalogue.engine.conditions.words import Wording

if TYPE_CHECKING:
    from townhall.catalogue.engine.definition import Question


def operator_of(condition: Mapping[str, Any]) -> Operator:
    """The operator a checked condition is written with."""
    # On every condition of every route, so kept to a plain loop.
    test = None
    for key in condition:
        if key != "question":
            if test is not None:
                test = None
                break
            test = key
    operator = operator_named(test) if test is not None else None
    if operator is None:
        raise ValueError(f"unknown condition {dict(condition)!r}")
    return operator


def evaluate(condition: Mapping[str, Any], context: ConditionContext) -> bool:
    """Whether `condition` holds in `context` (operators that combine others call this)."""
    return operator_of(condition).holds(condition, context)


def condition_holds(
    condition: Mapping[str, Any] | None,
    answers: Mapping[str, Any],
    context: ConditionContext | None = None,
) -> bool:
    """True when `condition` (or no condition) holds for `answers`. `context`
    brings the date, the council and the place hook; without one, a context of
    the answers alone (and today's date) is used. The answers given here are
    the ones tested, whatever the context holds."""
    if condition is None:
        return True
    context = ConditionContext(answers=answers) if context is None else context
    return evaluate(condition, context.with_answers(answers))


def condition_problems(
    condition: Any, *, where: str, asked: Mapping[str, Subject] | None = None
) -> list[str]:
    """Every problem with a condition in a definition, each naming its path
    (`pages[3].when.greater_than: ...`). `asked` maps the ids of the questions
    asked before this point to what they are; without it only the condition's
    shape is checked."""
    if not isinstance(condition, Mapping):
        return [problem(where, _("must be a condition, such as {question: colour, equals: red}"))]
    operators = registered_operators()
    tests = [key for key in condition if key != "question"]
    names = {"tests": ", ".join(sorted(operators))}
    unknown = [key for key in tests if key not in operators]
    if unknown:
        message = _("%(test)r is not a condition test (they are: %(tests)s)")
        return [problem(where, message % {"test": unknown[0], **names})]
    if not tests:
        return [problem(where, _("needs a test (one of: %(tests)s)") % names)]
    if len(tests) > 1:
        message = _("has more than one test (%(found)s): combine tests with all or any")
        return [problem(where, message % {"found": ", ".join(tests)})]
    return operators[tests[0]].problems(condition, where=where, asked=asked)


def describe(condition: Mapping[str, Any], wording: Wording) -> str:
    """A condition in words (operators that combine others call this)."""
    return operator_of(condition).words(condition, wording)


def condition_words(condition: Mapping[str, Any], questions: Mapping[str, Question]) -> str:
    """A condition as staff read it, naming questions by their labels:
    '“What is the problem?” is “Pothole”'."""
    return describe(condition, Wording(questions))


def condition_schema() -> dict[str, Any]:
    """The JSON Schema of a condition: one branch for each registered operator."""
    return {"oneOf": [operator.schema() for operator in registered_operators().values()]}
