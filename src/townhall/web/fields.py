"""What a question template needs: the question, what to show in it, its error."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from townhall.catalogue.engine.definition import Question

DATE_PARTS = (("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4))


@dataclass(frozen=True)
class QuestionField:
    question: Question
    answer: Any  # the stored answer
    raw: Mapping[str, Any]  # what was just typed, when the page is shown again with errors
    error: str | None

    date_parts = DATE_PARTS

    @property
    def value(self) -> Any:
        """What to put back in the input: what was typed, else the stored answer."""
        q = self.question
        if self.raw:
            if q.type == "checkboxes":
                getlist = getattr(self.raw, "getlist", None)
                return getlist(q.id) if getlist else self.raw.get(q.id, [])
            return self.raw.get(q.id, "")
        if q.type == "yes_no" and isinstance(self.answer, bool):
            return "yes" if self.answer else "no"
        return self.answer

    @property
    def anchor(self) -> str:
        return f"{self.question.id}-day" if self.question.type == "date" else self.question.id


def question_fields(
    questions: list[Question],
    answers: Mapping[str, Any],
    raw: Mapping[str, Any],
    errors: Mapping[str, str],
) -> list[QuestionField]:
    return [QuestionField(q, answers.get(q.id), raw, errors.get(q.id)) for q in questions]
