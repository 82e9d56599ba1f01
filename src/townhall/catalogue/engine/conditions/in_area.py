"""`{question: q, in_area: E05000001}` or `{question: q, in_area: [E05000001, E05000002]}`:
the place answered lies in one of the areas, named by their codes (GSS codes
for ONS areas). The areas come from the context's place hook, which the
places app fills; without it no place lies in any area."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from townhall.catalogue.engine.conditions.context import ConditionContext
from townhall.catalogue.engine.conditions.registry import QuestionOperator, problem
from townhall.catalogue.engine.conditions.values import Subject, is_empty
from townhall.catalogue.engine.conditions.words import Wording, quoted

CODE_MAX_LENGTH = 20
CODE = {"type": "string", "minLength": 1, "maxLength": CODE_MAX_LENGTH}


def _codes(operand: Any) -> list[str]:
    return [operand] if isinstance(operand, str) else list(operand)


def _is_code(value: Any) -> bool:
    return isinstance(value, str) and 1 <= len(value) <= CODE_MAX_LENGTH


class InArea(QuestionOperator):
    key = "in_area"
    operand_schema = {"anyOf": [CODE, {"type": "array", "minItems": 1, "items": CODE}]}

    def operand_problems(self, operand: Any, where: str) -> list[str]:
        if _is_code(operand):
            return []
        if not isinstance(operand, list) or not operand:
            return [problem(where, _("must be an area's code or a list of one or more codes"))]
        return [
            problem(f"{where}[{i}]", _("must be an area's code (at most 20 characters)"))
            for i, value in enumerate(operand)
            if not _is_code(value)
        ]

    def subject_problems(self, operand: Any, subject: Subject, where: str) -> list[str]:
        if subject.type == "location":
            return []
        message = _("%(question)r is a question of type %(type)s: in_area tests a location")
        return [problem(where, message % {"question": subject.id, "type": subject.type})]

    def test(self, answer: Any, operand: Any, context: ConditionContext) -> bool:
        if is_empty(answer):
            return False
        found = context.areas_containing(answer)
        return any(code in found for code in _codes(operand))

    def describe(self, question_id: str, operand: Any, wording: Wording) -> str:
        codes = _codes(operand)
        separator = _(", ")
        return ngettext(
            "%(question)s is in the area %(areas)s",
            "%(question)s is in one of the areas %(areas)s",
            len(codes),
        ) % {
            "question": wording.question(question_id),
            "areas": separator.join(quoted(code) for code in codes),
        }
