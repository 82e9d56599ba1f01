"""What a question template needs: the question, what to show in it, its error."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.utils.translation import gettext_lazy as _

from townhall.catalogue.engine.definition import Question
from townhall.catalogue.engine.inputs import group_item_count

DATE_PARTS = (("day", _("Day"), 2), ("month", _("Month"), 2), ("year", _("Year"), 4))


@dataclass(frozen=True)
class QuestionField:
    question: Question
    answer: Any  # the stored answer
    raw: Mapping[str, Any]  # what was just typed, when the page is shown again with errors
    error: str | None

    extra_items: int = 0  # a group shown with this many more empty items ("Add another")

    date_parts = DATE_PARTS
    address_parts = (
        ("line1", _("Address line 1"), "address-line1"),
        ("line2", _("Address line 2 (optional)"), "address-line2"),
        ("town", _("Town or city"), "address-level2"),
        ("postcode", _("Postcode"), "postal-code"),
    )

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
        q = self.question
        if q.type == "date":
            return f"{q.id}-day"
        if q.type == "address":
            return f"{q.id}-line1"
        if q.type == "group":
            return f"{q.id}-0-{q.questions[0].id}"
        return q.id

    def part(self, name: str) -> str:
        """One line of an address: what was typed, else the stored answer."""
        if self.raw:
            return str(self.raw.get(f"{self.question.id}-{name}", ""))
        return str(self.answer.get(name, "")) if isinstance(self.answer, dict) else ""

    @property
    def address_fields(self) -> list[tuple[str, str, str, str]]:
        return [
            (f"{self.question.id}-{name}", str(label), autocomplete, self.part(name))
            for name, label, autocomplete in self.address_parts
        ]

    @property
    def items(self) -> list[list[QuestionField]]:
        """A group's items, each a list of fields whose ids carry the item's number."""
        q = self.question
        stored = self.answer if isinstance(self.answer, list) else []
        shown = group_item_count(q, self.raw) if self.raw else len(stored)
        count = min(max(shown + self.extra_items, q.min_items, 1), q.max_items)
        return [
            [
                QuestionField(
                    replace(member, id=f"{q.id}-{index}-{member.id}"),
                    stored[index].get(member.id) if index < len(stored) else None,
                    self.raw,
                    None,
                )
                for member in q.questions
            ]
            for index in range(count)
        ]

    @property
    def can_add_item(self) -> bool:
        return len(self.items) < self.question.max_items


def question_fields(
    questions: list[Question],
    answers: Mapping[str, Any],
    raw: Mapping[str, Any],
    errors: Mapping[str, str],
    *,
    add_item_to: str | None = None,
) -> list[QuestionField]:
    return [
        QuestionField(q, answers.get(q.id), raw, errors.get(q.id), int(q.id == add_item_to))
        for q in questions
    ]
