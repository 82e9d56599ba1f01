"""`checkboxes`: any number of options. The stored answer is the list of the
chosen options' values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy

from townhall.catalogue.engine.types.base import FormData, QuestionType
from townhall.catalogue.engine.types.radios import OPTIONS, option_problems
from townhall.catalogue.engine.types.registry import register

if TYPE_CHECKING:
    from townhall.catalogue.engine.definition import Question


def _ticked(data: FormData, key: str) -> list[Any]:
    if hasattr(data, "getlist"):
        return list(data.getlist(key))
    value = data.get(key)  # plain data: one box ticked may arrive as a string, not a list
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


@register
class CheckboxesType(QuestionType):
    name = "checkboxes"
    fieldset = True
    properties = {"options": OPTIONS}
    messages = {"required": gettext_lazy("Select at least one option")}
    named_messages = {"required": gettext_lazy("Select %(what)s")}

    def definition_problems(self, question: Mapping[str, Any], where: str) -> list[str]:
        return option_problems(question, where)

    def parse(self, question: Question, data: FormData, files: FormData) -> Any:
        return [v for v in _ticked(data, question.id) if isinstance(v, str) and v]

    def check(self, question: Question, value: Any) -> str | None:
        allowed = {o.value for o in question.options}
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return self.required_message(question)
        if not set(value) <= allowed or len(set(value)) != len(value):
            return self.required_message(question)
        return None

    def display(self, question: Question, value: Any) -> str:
        return ", ".join(question.option_label(v) for v in value)

    def export(self, question: Question, value: Any) -> Any:
        return list(value)

    def redisplay(self, question: Question, answer: Any, raw: FormData) -> Any:
        return _ticked(raw, question.id) if raw else answer
