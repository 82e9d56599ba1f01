"""`{question: q, equals: v}`: the answer is exactly `v`."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from townhall.catalogue.engine.conditions.context import ConditionContext
from townhall.catalogue.engine.conditions.registry import QuestionOperator, problem
from townhall.catalogue.engine.conditions.values import Subject, same_value, value_problem
from townhall.catalogue.engine.conditions.words import Wording


class Equals(QuestionOperator):
    key = "equals"
    operand_schema = {"type": ["string", "number", "boolean"]}

    def operand_problems(self, operand: Any, where: str) -> list[str]:
        if isinstance(operand, str | int | float):  # a bool is an int
            return []
        return [problem(where, _("must be text, a number, or true or false"))]

    def subject_problems(self, operand: Any, subject: Subject, where: str) -> list[str]:
        message = value_problem(subject, operand)
        return [problem(where, message)] if message else []

    def test(self, answer: Any, operand: Any, context: ConditionContext) -> bool:
        return same_value(answer, operand)

    def describe(self, question_id: str, operand: Any, wording: Wording) -> str:
        return _("%(question)s is %(value)s") % {
            "question": wording.question(question_id),
            "value": wording.value(question_id, operand),
        }
