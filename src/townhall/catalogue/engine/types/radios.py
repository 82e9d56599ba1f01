"""`radios`: one choice from a list of options, as radio buttons. The stored
answer is the chosen option's value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from townhall.catalogue.engine.types.base import FormData, QuestionType, Schema
from townhall.catalogue.engine.types.registry import register

if TYPE_CHECKING:
    from townhall.catalogue.engine.definition import Option, Question

OPTIONS: Schema = {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/option"}}


def option_problems(question: Mapping[str, Any], where: str) -> list[str]:
    """A choice needs options, each with its own value."""
    values = [option["value"] for option in question.get("options", [])]
    problems = []
    if not values:
        problems.append(
            _("%(where)s.options: a %(type)s question needs options")
            % {"where": where, "type": question["type"]}
        )
    if len(values) != len(set(values)):
        problems.append(_("%(where)s.options: option values must be different") % {"where": where})
    exclusive = [i for i, o in enumerate(question.get("options", [])) if o.get("exclusive")]
    if exclusive and question["type"] != "checkboxes":
        problems.append(
            _("%(where)s.options[%(index)d].exclusive: only checkboxes have an exclusive option")
            % {"where": where, "index": exclusive[0]}
        )
    elif len(exclusive) > 1:
        problems.append(_("%(where)s.options: only one option can be exclusive") % {"where": where})
    elif exclusive and exclusive[0] != len(values) - 1:
        problems.append(
            _("%(where)s.options[%(index)d].exclusive: the exclusive option must be the last")
            % {"where": where, "index": exclusive[0]}
        )
    return problems


@dataclass(frozen=True)
class Choice:
    """One option as its radio button or checkbox shows it: the input's id (the
    question's id for the first, so an error links to it, then `<id>-<n>`), the
    id of its hint, and whether it is chosen. Worked out here rather than in the
    template, where the ids took most of the time a question page renders in."""

    option: Option
    id: str
    hint_id: str
    checked: bool


def option_choices(question: Question, chosen: Any, *, many: bool = False) -> list[Choice]:
    """Each option of `question`, checked when `chosen` is its value or, with
    `many` (checkboxes), a list or tuple that holds it."""
    many = many and isinstance(chosen, list | tuple)
    choices = []
    for number, option in enumerate(question.options, start=1):
        checked = option.value in chosen if many else chosen == option.value
        input_id = question.id if number == 1 else f"{question.id}-{number}"
        choices.append(Choice(option, input_id, f"{question.id}-{number}-hint", checked))
    return choices


@register
class RadiosType(QuestionType):
    name = "radios"
    api_datatype = "singlevaluelist"
    fieldset = True
    in_groups = True
    properties = {"options": OPTIONS}
    messages = {"required": gettext_lazy("Select an option")}
    named_messages = {"required": gettext_lazy("Select %(what)s")}

    def definition_problems(self, question: Mapping[str, Any], where: str) -> list[str]:
        return option_problems(question, where)

    def check(self, question: Question, value: Any) -> str | None:
        if not isinstance(value, str) or value not in {o.value for o in question.options}:
            return self.required_message(question)
        return None

    def display(self, question: Question, value: Any) -> str:
        return question.option_label(value)

    def widget(
        self, question: Question, answer: Any, raw: FormData, *, extra_items: int = 0
    ) -> dict[str, Any]:
        return {"choices": option_choices(question, self.redisplay(question, answer, raw))}
