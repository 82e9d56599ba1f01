"""`{question: q, contains: v}`: a checkboxes answer includes the option `v`."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from townhall.catalogue.engine.conditions.context import ConditionContext
from townhall.catalogue.engine.conditions.registry import QuestionOperator, problem
from townhall.catalogue.engine.conditions.values import AnswerKind, Subject, same_value
from townhall.catalogue.engine.conditions.words import Wording


class Contains(QuestionOperator):
    key = "contains"
    operand_schema = {"type": "string"}

    def operand_problems(self, operand: Any, where: str) -> list[str]:
        return [] if isinstance(operand, str) else [problem(where, _("must be an option value"))]

    def subject_problems(self, operand: Any, subject: Subject, where: str) -> list[str]:
        names = {"question": subject.id, "type": subject.type, "value": operand}
        if subject.kind is not AnswerKind.CHOICES:
            message = _("%(question)r is a question of type %(type)s: contains tests checkboxes")
            return [problem(where, message % names)]
        if subject.options and operand not in subject.options:
            message = _("%(value)r is not an option of %(question)r")
            return [problem(where, message % names)]
        return []

    def test(self, answer: Any, operand: Any, context: ConditionContext) -> bool:
        return isinstance(answer, list) and any(same_value(value, operand) for value in answer)

    def describe(self, question_id: str, operand: Any, wording: Wording) -> str:
        return _("%(question)s includes %(value)s") % {
            "question": wording.question(question_id),
            "value": wording.value(question_id, operand),
        }
