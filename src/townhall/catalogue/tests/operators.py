"""Operators that exist only in tests, to prove that adding one is one class
and its registration, and that removing it leaves nothing behind."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.utils.translation import gettext as _

from townhall.catalogue.engine.conditions import (
    AnswerKind,
    ConditionContext,
    Operator,
    QuestionOperator,
    Subject,
    register_operator,
    unregister_operator,
)
from townhall.catalogue.engine.conditions.registry import problem
from townhall.catalogue.engine.conditions.words import Wording


class StartsWith(QuestionOperator):
    """`{question: q, starts_with: "A"}`: a text answer begins with the text."""

    key = "starts_with"
    operand_schema = {"type": "string", "minLength": 1}

    def operand_problems(self, operand: Any, where: str) -> list[str]:
        if isinstance(operand, str) and operand:
            return []
        return [problem(where, _("must be some text"))]

    def subject_problems(self, operand: Any, subject: Subject, where: str) -> list[str]:
        if subject.kind is AnswerKind.TEXT:
            return []
        return [problem(where, _("%(question)r is not a text question") % {"question": subject.id})]

    def test(self, answer: Any, operand: Any, context: ConditionContext) -> bool:
        return isinstance(answer, str) and answer.startswith(operand)

    def describe(self, question_id: str, operand: Any, wording: Wording) -> str:
        return _("%(question)s starts with %(text)s") % {
            "question": wording.question(question_id),
            "text": wording.value(question_id, operand),
        }


class InTestArea(QuestionOperator):
    """What a places feature would add: the answer lies in the named area, as
    the context's place hook says."""

    key = "in_test_area"
    operand_schema = {"type": "string"}

    def operand_problems(self, operand: Any, where: str) -> list[str]:
        return [] if isinstance(operand, str) else [problem(where, "must be an area code")]

    def test(self, answer: Any, operand: Any, context: ConditionContext) -> bool:
        return answer is not None and operand in context.areas_containing(answer)

    def describe(self, question_id: str, operand: Any, wording: Wording) -> str:
        return f"{wording.question(question_id)} is in {operand}"


class CouncilIs(Operator):
    """`{council_is: slug}`: a condition on the context, naming no question."""

    key = "council_is"

    def schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "required": [self.key],
            "additionalProperties": False,
            "properties": {self.key: {"$ref": "#/$defs/slug"}},
        }

    def problems(self, condition: Any, *, where: str, asked: Any) -> list[str]:
        extra = [key for key in condition if key != self.key]
        return [problem(where, f"{self.key} takes nothing else")] if extra else []

    def holds(self, condition: Any, context: ConditionContext) -> bool:
        council = context.organisation
        return council is not None and council.slug == condition[self.key]

    def words(self, condition: Any, wording: Wording) -> str:
        return f"the council is {condition[self.key]}"


@contextmanager
def registered(*operator_classes: type[Operator]) -> Iterator[None]:
    added: list[str] = []
    try:
        for operator_class in operator_classes:
            register_operator(operator_class)
            added.append(operator_class.key)
        yield
    finally:
        for key in added:
            unregister_operator(key)
