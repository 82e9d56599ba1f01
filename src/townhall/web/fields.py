"""What a question template needs: the question, what to show in it, its error.
Everything that depends on the question's type comes from the type (see
`catalogue.engine.types`); this is the adapter templates read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.http import QueryDict

from townhall.catalogue.engine.definition import Question
from townhall.catalogue.engine.types import QuestionType, question_type


class ItemFields(list["QuestionField"]):
    """One item of a group: its questions' fields, and its heading as `title`."""

    def __init__(self, title: str, fields: list[QuestionField]) -> None:
        super().__init__(fields)
        self.title = title


@dataclass(frozen=True)
class QuestionField:
    question: Question
    answer: Any  # the stored answer
    raw: Mapping[str, Any]  # what was just typed, when the page is shown again with errors
    error: str | None

    extra_items: int = 0  # a group shown with this many more empty items ("Add another")
    confirm_remove: int | None = None  # a group's item whose removal is being confirmed

    @cached_property
    def kind(self) -> QuestionType:
        return question_type(self.question.type)

    @property
    def template(self) -> str:
        return self.kind.template_name

    @property
    def fieldset(self) -> bool:
        return self.kind.fieldset

    @property
    def grouped_inputs(self) -> bool:
        return self.kind.grouped_inputs

    @property
    def multipart(self) -> bool:
        return self.kind.upload

    @property
    def value(self) -> Any:
        """What to put back in the input: what was typed, else the stored answer."""
        return self.kind.redisplay(self.question, self.answer, self.raw)

    @property
    def anchor(self) -> str:
        return self.kind.anchor(self.question)

    @cached_property
    def widget(self) -> dict[str, Any]:
        return self.kind.widget(self.question, self.answer, self.raw, extra_items=self.extra_items)

    @cached_property
    def items(self) -> list[ItemFields]:
        """A group's items, each a list of fields whose ids carry the item's number."""
        return [
            ItemFields(
                item.title,
                [
                    QuestionField(member, answer, self.raw, None)
                    for member, answer in item.questions
                ],
            )
            for item in self.kind.items(
                self.question, self.answer, self.raw, extra_items=self.extra_items
            )
        ]

    def __getattr__(self, name: str) -> Any:
        """Whatever else the type's template needs (`field.address_fields`)."""
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self.widget[name]
        except KeyError:
            raise AttributeError(name) from None


def question_fields(
    questions: list[Question],
    answers: Mapping[str, Any],
    raw: Mapping[str, Any],
    errors: Mapping[str, str],
    *,
    add_item_to: str | None = None,
    confirm_remove: tuple[str, int] | None = None,
) -> list[QuestionField]:
    return [
        QuestionField(
            q,
            answers.get(q.id),
            raw,
            errors.get(q.id),
            int(q.id == add_item_to),
            confirm_remove[1] if confirm_remove and confirm_remove[0] == q.id else None,
        )
        for q in questions
    ]


def group_item_removed(data: QueryDict, question_id: str, index: int) -> QueryDict:
    """The form as sent, without item `index` of the group `question_id`: the
    items after it move up one, so the page shows the rest as they were typed."""
    prefix = f"{question_id}-"
    try:
        count = int(data.get(f"{prefix}items") or 0)
    except ValueError:
        count = 0
    changed = data.copy()
    if not 0 <= index < count:
        return changed
    for key in list(changed):
        if key.startswith(prefix) and key != f"{prefix}items":
            del changed[key]
    for key, values in data.lists():
        number, _sep, rest = key.removeprefix(prefix).partition("-")
        if not key.startswith(prefix) or not number.isdigit() or not rest:
            continue
        item = int(number)
        if item == index:
            continue
        changed.setlist(f"{prefix}{item - 1 if item > index else item}-{rest}", values)
    changed[f"{prefix}items"] = str(count - 1)
    return changed
