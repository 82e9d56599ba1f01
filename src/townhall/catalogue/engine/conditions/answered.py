"""`{question: q, answered: true}`: the question has an answer (or, with
`false`, has none). Any question can be tested this way."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from townhall.catalogue.engine.conditions.context import ConditionContext
from townhall.catalogue.engine.conditions.registry import QuestionOperator, problem
from townhall.catalogue.engine.conditions.values import is_empty
from townhall.catalogue.engine.conditions.words import Wording


class Answered(QuestionOperator):
    key = "answered"
    operand_schema = {"type": "boolean"}

    def operand_problems(self, operand: Any, where: str) -> list[str]:
        return [] if isinstance(operand, bool) else [problem(where, _("must be true or false"))]

    def test(self, answer: Any, operand: Any, context: ConditionContext) -> bool:
        return (not is_empty(answer)) is (operand is True)

    def describe(self, question_id: str, operand: Any, wording: Wording) -> str:
        names = {"question": wording.question(question_id)}
        if operand is True:
            return _("%(question)s is answered") % names
        return _("%(question)s is not answered") % names
