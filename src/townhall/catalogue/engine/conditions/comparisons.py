"""`greater_than` and `less_than`: a number answer against a number, or a date
answer against a date (`2026-04-01`) or `today`. A missing answer, or one of
another kind, is neither more nor less than anything."""

from __future__ import annotations

import abc
from typing import Any, ClassVar

from django.utils.translation import gettext as _

from townhall.catalogue.engine.conditions.context import ConditionContext
from townhall.catalogue.engine.conditions.registry import QuestionOperator, problem
from townhall.catalogue.engine.conditions.values import (
    ISO_DATE,
    TODAY,
    AnswerKind,
    Subject,
    as_date,
    is_number,
    operand_date,
)
from townhall.catalogue.engine.conditions.words import Wording


class _Comparison(QuestionOperator):
    operand_schema: ClassVar[dict[str, Any]] = {
        "anyOf": [
            {"type": "number"},
            {"type": "string", "pattern": f"^({TODAY}|{ISO_DATE.pattern})$"},
        ]
    }

    def operand_problems(self, operand: Any, where: str) -> list[str]:
        if is_number(operand) or operand == TODAY or as_date(operand) is not None:
            return []
        return [problem(where, _("must be a number, a date written like 2026-04-01, or today"))]

    def subject_problems(self, operand: Any, subject: Subject, where: str) -> list[str]:
        names = {"question": subject.id, "type": subject.type, "test": self.key}
        if subject.kind is AnswerKind.NUMBER:
            message = _("%(question)r is a number question: compare it with a number")
            return [] if is_number(operand) else [problem(where, message % names)]
        if subject.kind is AnswerKind.DATE:
            message = _(
                "%(question)r is a date question: compare it with a date "
                "written like 2026-04-01, or today"
            )
            return [] if not is_number(operand) else [problem(where, message % names)]
        message = _(
            "%(question)r is a question of type %(type)s: "
            "%(test)s compares only number and date questions"
        )
        return [problem(where, message % names)]

    def test(self, answer: Any, operand: Any, context: ConditionContext) -> bool:
        if is_number(operand):
            return is_number(answer) and self.compare(answer, operand)
        day, limit = as_date(answer), operand_date(operand, context.today)
        return day is not None and limit is not None and self.compare(day, limit)

    def describe(self, question_id: str, operand: Any, wording: Wording) -> str:
        question = wording.question(question_id)
        if is_number(operand):
            return self.number_words(question, wording.value(question_id, operand))
        return self.date_words(question, wording.date(operand))

    @abc.abstractmethod
    def compare(self, answer: Any, limit: Any) -> bool:
        """`answer` against the limit, both numbers or both dates."""

    @abc.abstractmethod
    def number_words(self, question: str, number: str) -> str: ...

    @abc.abstractmethod
    def date_words(self, question: str, date: str) -> str: ...


class GreaterThan(_Comparison):
    key = "greater_than"

    def compare(self, answer: Any, limit: Any) -> bool:
        return bool(answer > limit)

    def number_words(self, question: str, number: str) -> str:
        return _("%(question)s is more than %(number)s") % {"question": question, "number": number}

    def date_words(self, question: str, date: str) -> str:
        return _("%(question)s is after %(date)s") % {"question": question, "date": date}


class LessThan(_Comparison):
    key = "less_than"

    def compare(self, answer: Any, limit: Any) -> bool:
        return bool(answer < limit)

    def number_words(self, question: str, number: str) -> str:
        return _("%(question)s is less than %(number)s") % {"question": question, "number": number}

    def date_words(self, question: str, date: str) -> str:
        return _("%(question)s is before %(date)s") % {"question": question, "date": date}
