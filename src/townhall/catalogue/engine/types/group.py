"""`group`: the group's own questions, asked once per item ("Add another"),
for example each member of a household. The stored answer is a list of
items, each the answers to the group's questions."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from townhall.catalogue.engine.types.base import (
    AnswerError,
    FormData,
    Item,
    QuestionType,
    author_text,
    is_empty,
    single,
)
from townhall.catalogue.engine.types.registry import (
    check_answer,
    display_answer,
    export_value,
    question_type,
    register,
)

if TYPE_CHECKING:
    from townhall.catalogue.engine.conditions.context import ConditionContext
    from townhall.catalogue.engine.definition import Question


class _Prefixed(Mapping[str, Any]):
    """The form fields of one item of a group, seen without their prefix."""

    def __init__(self, data: FormData, prefix: str) -> None:
        self.data, self.prefix = data, prefix

    def __getitem__(self, key: str) -> Any:
        return self.data[self.prefix + key]

    def __iter__(self) -> Iterator[str]:
        return (k[len(self.prefix) :] for k in self.data if k.startswith(self.prefix))

    def __len__(self) -> int:
        return sum(1 for _key in self)

    def getlist(self, key: str) -> list[Any]:
        getlist = getattr(self.data, "getlist", None)
        return getlist(self.prefix + key) if getlist else [self.data.get(self.prefix + key)]


def group_item_count(question: Question, data: FormData) -> int:
    """How many items the group's form showed (a hidden field), within its limit."""
    try:
        shown = int(single(data, f"{question.id}-items") or 0)
    except ValueError:
        shown = 0
    return max(0, min(shown, question.max_items))


@register
class GroupType(QuestionType):
    name = "group"
    fieldset = True
    properties = {
        "questions": {
            "type": "array",
            "minItems": 1,
            "items": {"$ref": "#/$defs/question"},
            "description": "The questions asked about each item.",
        },
        "min_items": {"type": "integer", "minimum": 0, "maximum": 50},
        "max_items": {"type": "integer", "minimum": 1, "maximum": 50},
        "item_label": author_text(
            60, "What one item is called in a sentence, for example 'household member'."
        ),
        "item_title": author_text(
            60, "The heading of each item, before its number, for example 'Household member'."
        ),
    }
    own_messages = ("required", "too_many")
    messages = {
        "required": ngettext_lazy(
            "Add at least %(count)d item", "Add at least %(count)d items", "count"
        ),
        "too_many": ngettext_lazy(
            "You can add up to %(count)d item", "You can add up to %(count)d items", "count"
        ),
        "item": gettext_lazy("Item %(number)d"),
        "titled_item": gettext_lazy("%(title)s %(number)d"),
        "item_problem": gettext_lazy("%(item)s: %(problem)s"),
        "unexpected": gettext_lazy("%(item)s: unexpected answers"),
        "item_answers": gettext_lazy("%(item)s: %(answers)s"),
    }

    # ---- the definition ----------------------------------------------------

    def definition_problems(self, question: Mapping[str, Any], where: str) -> list[str]:
        # Imported here: validation imports the registry this module registers in.
        from townhall.catalogue.engine.validation import question_problems

        problems = []
        if not question.get("questions"):
            problems.append(_("%(where)s.questions: a group needs questions") % {"where": where})
        if question.get("min_items", 0) > question.get("max_items", 10):
            problems.append(_("%(where)s.min_items: is more than max_items") % {"where": where})
        seen: set[str] = set()
        for i, member in enumerate(question.get("questions", [])):
            at = f"{where}.questions[{i}]"
            if not question_type(member["type"]).in_groups:
                problems.append(
                    _("%(where)s.type: a group cannot hold a %(type)r question")
                    % {"where": at, "type": member["type"]}
                )
            if member["id"] in seen:
                problems.append(
                    _("%(where)s.id: %(id)r is used twice") % {"where": at, "id": member["id"]}
                )
            if "when" in member:
                problems.append(_("%(where)s.when: questions in a group are always asked") % {
                    "where": at
                })  # fmt: skip
            if "contact" in member:
                problems.append(
                    _("%(where)s.contact: the contact email cannot be in a group") % {"where": at}
                )
            if "prefill" in member:
                problems.append(
                    _("%(where)s.prefill: a question in a group is not filled from the profile")
                    % {"where": at}
                )
            seen.add(member["id"])
            problems += question_problems(member, at)
        return problems

    # ---- answers -----------------------------------------------------------

    def item_title(self, question: Question, index: int) -> str:
        title = question.setting("item_title")
        if title:
            return self.message(question, "titled_item", title=title, number=index + 1)
        return self.message(question, "item", number=index + 1)

    def required_message(self, question: Question) -> str:
        return self.message(question, "required", count=max(question.min_items, 1))

    def parse(self, question: Question, data: FormData, files: FormData) -> Any:
        items = []
        for index in range(group_item_count(question, data)):
            fields = _Prefixed(data, f"{question.id}-{index}-")
            item = {}
            for member in question.questions:
                try:
                    item[member.id] = question_type(member.type).parse(member, fields, {})
                except AnswerError as error:
                    raise AnswerError(self._about_item(question, index, str(error))) from error
            if any(not is_empty(value) for value in item.values()):
                items.append(item)  # a blank item is one the resident left empty
        return items

    def check(self, question: Question, value: Any) -> str | None:
        return self.check_in(question, value, None)

    def check_in(
        self, question: Question, value: Any, context: ConditionContext | None
    ) -> str | None:
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            return self.required_message(question)
        if len(value) > question.max_items:
            return self.message(question, "too_many", count=question.max_items)
        if len(value) < question.min_items:
            return self.required_message(question)
        members = {member.id for member in question.questions}
        for index, item in enumerate(value):
            if not set(item) <= members:
                return self.message(question, "unexpected", item=self.item_title(question, index))
            for member in question.questions:
                if (problem := check_answer(member, item.get(member.id), context)) is not None:
                    return self._about_item(question, index, problem)
        return None

    def _about_item(self, question: Question, index: int, problem: str) -> str:
        return self.message(
            question, "item_problem", item=self.item_title(question, index), problem=problem
        )

    def display(self, question: Question, value: Any) -> str:
        lines = []
        for index, item in enumerate(value):
            answers = ", ".join(
                display_answer(member, item.get(member.id))
                for member in question.questions
                if not is_empty(item.get(member.id))
            )
            lines.append(
                self.message(
                    question, "item_answers", item=self.item_title(question, index), answers=answers
                )
            )
        return "\n".join(lines)

    def export(self, question: Question, value: Any) -> Any:
        return [
            {member.id: export_value(member, item.get(member.id)) for member in question.questions}
            for item in value
        ]

    # ---- what the widget template needs --------------------------------------

    def anchor(self, question: Question) -> str:
        return f"{question.id}-0-{question.questions[0].id}"

    def _shown(self, question: Question, answer: Any, raw: FormData, extra_items: int) -> int:
        stored = answer if isinstance(answer, list) else []
        shown = group_item_count(question, raw) if raw else len(stored)
        return min(max(shown + extra_items, question.min_items, 1), question.max_items)

    def items(
        self, question: Question, answer: Any, raw: FormData, *, extra_items: int = 0
    ) -> list[Item]:
        """Each item's questions, with ids that carry the item's number."""
        stored = answer if isinstance(answer, list) else []
        return [
            Item(
                title=self.item_title(question, index),
                questions=tuple(
                    (
                        replace(member, id=f"{question.id}-{index}-{member.id}"),
                        stored[index].get(member.id) if index < len(stored) else None,
                    )
                    for member in question.questions
                ),
            )
            for index in range(self._shown(question, answer, raw, extra_items))
        ]

    def widget(
        self, question: Question, answer: Any, raw: FormData, *, extra_items: int = 0
    ) -> dict[str, Any]:
        shown = self._shown(question, answer, raw, extra_items)
        return {"can_add_item": shown < question.max_items}
