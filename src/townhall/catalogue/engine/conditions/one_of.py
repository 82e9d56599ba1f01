"""`{question: q, in: [v1, v2]}`: the answer is one of the values."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from townhall.catalogue.engine.conditions.context import ConditionContext
from townhall.catalogue.engine.conditions.registry import QuestionOperator, problem
from townhall.catalogue.engine.conditions.values import (
    AnswerKind,
    Subject,
    is_number,
    same_value,
    value_problem,
)
from townhall.catalogue.engine.conditions.words import Wording


class In(QuestionOperator):
    key = "in"
    operand_schema = {"type": "array", "minItems": 1, "items": {"type": ["string", "number"]}}

    def operand_problems(self, operand: Any, where: str) -> list[str]:
        if not isinstance(operand, list) or not operand:
            return [problem(where, _("must be a list of one or more values"))]
        return [
            problem(f"{where}[{i}]", _("must be text or a number"))
            for i, value in enumerate(operand)
            if not (isinstance(value, str) or is_number(value))
        ]

    def subject_problems(self, operand: Any, subject: Subject, where: str) -> list[str]:
        if subject.kind is AnswerKind.BOOLEAN:
            message = _("%(question)r is a question of type %(type)s: test it with equals")
            return [problem(where, message % {"question": subject.id, "type": subject.type})]
        found = ((i, value_problem(subject, value)) for i, value in enumerate(operand))
        return [problem(f"{where}[{i}]", message) for i, message in found if message]

    def test(self, answer: Any, operand: Any, context: ConditionContext) -> bool:
        return any(same_value(answer, value) for value in operand)

    def describe(self, question_id: str, operand: Any, wording: Wording) -> str:
        return _("%(question)s is one of %(values)s") % {
            "question": wording.question(question_id),
            "values": wording.values(question_id, operand),
        }
