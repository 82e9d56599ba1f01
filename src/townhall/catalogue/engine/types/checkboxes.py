"""`checkboxes`: any number of options. The stored answer is the list of the
chosen options' values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy

from townhall.catalogue.engine.types.base import FormData, QuestionType
from townhall.catalogue.engine.types.radios import OPTIONS, option_choices, option_problems
from townhall.catalogue.engine.types.registry import register

if TYPE_CHECKING:
    from townhall.catalogue.engine.definition import Option, Question


def _ticked(data: FormData, key: str) -> list[Any]:
    if hasattr(data, "getlist"):
        return list(data.getlist(key))
    value = data.get(key)  # plain data: one box ticked may arrive as a string, not a list
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def exclusive_option(question: Question) -> Option | None:
    """The option that is chosen on its own ("None of these"), if there is one."""
    return next((o for o in question.options if o.exclusive), None)


@register
class CheckboxesType(QuestionType):
    name = "checkboxes"
    api_datatype = "multivaluelist"
    fieldset = True
    properties = {"options": OPTIONS}
    # The quotation marks are written as themselves, not as \u escapes:
    # xgettext copies an escape into the catalogue as it is written, so the
    # translated message would never match the text looked up.
    messages = {
        "required": gettext_lazy("Select at least one option"),
        "required_or_exclusive": gettext_lazy(
            "Select the options that apply, or select ‘%(option)s’"  # noqa: RUF001
        ),
        "exclusive": gettext_lazy(
            "Select the options that apply, or select ‘%(option)s’, not both"  # noqa: RUF001
        ),
    }
    named_messages = {
        "required": gettext_lazy("Select %(what)s"),
        "required_or_exclusive": gettext_lazy(
            "Select %(what)s, or select ‘%(option)s’"  # noqa: RUF001
        ),
        "exclusive": gettext_lazy(
            "Select %(what)s, or select ‘%(option)s’, not both"  # noqa: RUF001
        ),
    }

    def definition_problems(self, question: Mapping[str, Any], where: str) -> list[str]:
        return option_problems(question, where)

    def parse(self, question: Question, data: FormData, files: FormData) -> Any:
        return [v for v in _ticked(data, question.id) if isinstance(v, str) and v]

    def api_answer(self, question: Question, raw: str | list[str]) -> Any:
        values = [raw] if isinstance(raw, str) else raw
        return [value.strip() for value in values if value.strip()]

    def required_message(self, question: Question) -> str:
        option = exclusive_option(question)
        if option is None:
            return self.message(question, "required")
        if question.setting("required_message"):
            return str(question.setting("required_message"))
        return self.message(question, "required_or_exclusive", option=option.label)

    def check(self, question: Question, value: Any) -> str | None:
        allowed = {o.value for o in question.options}
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return self.required_message(question)
        if not set(value) <= allowed or len(set(value)) != len(value):
            return self.required_message(question)
        option = exclusive_option(question)
        if option is not None and option.value in value and len(value) > 1:
            return self.message(question, "exclusive", option=option.label)
        return None

    def possible_errors(self, question: Question) -> tuple[str, ...]:
        if exclusive_option(question) is None:
            return ("required",)
        return ("required_or_exclusive", "exclusive")

    def example_values(self, question: Question, key: str) -> dict[str, Any]:
        option = exclusive_option(question)
        return {"option": option.label if option else ""}

    def display(self, question: Question, value: Any) -> str:
        return ", ".join(question.option_label(v) for v in value)

    def export(self, question: Question, value: Any) -> Any:
        return list(value)

    def redisplay(self, question: Question, answer: Any, raw: FormData) -> Any:
        return _ticked(raw, question.id) if raw else answer

    def widget(
        self, question: Question, answer: Any, raw: FormData, *, extra_items: int = 0
    ) -> dict[str, Any]:
        chosen = self.redisplay(question, answer, raw)
        return {"choices": option_choices(question, chosen, many=True)}
