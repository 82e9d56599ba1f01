"""`radios`: one choice from a list of options, as radio buttons. The stored
answer is the chosen option's value."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from townhall.catalogue.engine.types.base import QuestionType, Schema
from townhall.catalogue.engine.types.registry import register

if TYPE_CHECKING:
    from townhall.catalogue.engine.definition import Question

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
