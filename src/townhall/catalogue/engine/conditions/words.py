"""Names and values as conditions put them in words for staff. Every phrase is
a whole, translatable message; nothing here builds English grammar."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from townhall.catalogue.engine.conditions.values import (
    TODAY,
    AnswerKind,
    answer_kind,
    as_date,
    is_number,
)
from townhall.catalogue.engine.types.money import pounds

if TYPE_CHECKING:
    from townhall.catalogue.engine.definition import Question


def quoted(text: str) -> str:
    return pgettext("a question's label or an answer, quoted", "“%(text)s”") % {"text": text}


def bracketed(text: str) -> str:
    return pgettext("a condition inside another", "(%(condition)s)") % {"condition": text}


class Wording:
    """Words for the questions of one definition and their answers."""

    def __init__(self, questions: Mapping[str, Question]) -> None:
        self.questions = questions

    def question(self, question_id: str) -> str:
        """A question by its label, or by its id when it is not in the definition."""
        question = self.questions.get(question_id)
        return quoted(question.label) if question is not None else question_id

    def value(self, question_id: str, value: Any) -> str:
        """An operand as the question's answer would be: an option by its label,
        yes or no, a number or a date as the reader's language writes them."""
        question = self.questions.get(question_id)
        if question is not None and question.options and isinstance(value, str):
            return quoted(question.option_label(value))
        if isinstance(value, bool):
            if value:
                return pgettext("a yes or no answer", "yes")
            return pgettext("a yes or no answer", "no")
        if question is not None and question.type == "money" and isinstance(value, int):
            return pounds(value)  # conditions compare money in pence, as it is stored
        if is_number(value):
            whole = isinstance(value, float) and value.is_integer()
            return str(formats.number_format(int(value) if whole else value))
        if question is not None and answer_kind(question.type) is AnswerKind.DATE:
            return self.date(value)
        return quoted(str(value))

    def values(self, question_id: str, values: Iterable[Any]) -> str:
        separator = pgettext("between the values of a list", ", ")
        return separator.join(self.value(question_id, value) for value in values)

    def date(self, operand: Any) -> str:
        """`today`, or a date written YYYY-MM-DD, in words."""
        if operand == TODAY:
            return _("today")
        day = as_date(operand)
        return formats.date_format(day, "j F Y") if day is not None else quoted(str(operand))
