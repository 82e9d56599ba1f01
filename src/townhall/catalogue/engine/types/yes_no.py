"""`yes_no`: Yes and No radio buttons, stored as true or false."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from townhall.catalogue.engine.types.base import FormData, QuestionType, single
from townhall.catalogue.engine.types.registry import register

if TYPE_CHECKING:
    from townhall.catalogue.engine.definition import Question


@register
class YesNoType(QuestionType):
    name = "yes_no"
    api_datatype = "singlevaluelist"
    fieldset = True
    in_groups = True
    messages = {"required": gettext_lazy("Select yes or no")}
    # The error name of a yes or no question is what "yes" means: "the waste
    # is from a business" gives "Select yes if the waste is from a business".
    named_messages = {"required": gettext_lazy("Select yes if %(what)s")}

    def parse(self, question: Question, data: FormData, files: FormData) -> Any:
        raw = single(data, question.id)
        return {"yes": True, "no": False}.get(raw, raw)

    def check(self, question: Question, value: Any) -> str | None:
        return None if isinstance(value, bool) else self.required_message(question)

    def api_values(self, question: Question) -> list[tuple[str, str]]:
        return [("true", _("Yes")), ("false", _("No"))]

    def api_answer(self, question: Question, raw: str | list[str]) -> Any:
        text = (raw if isinstance(raw, str) else (raw[0] if raw else "")).strip().lower()
        return {"true": True, "false": False, "yes": True, "no": False}.get(text, text)

    def display(self, question: Question, value: Any) -> str:
        return _("Yes") if value else _("No")

    def redisplay(self, question: Question, answer: Any, raw: FormData) -> Any:
        if not raw and isinstance(answer, bool):
            return "yes" if answer else "no"
        return super().redisplay(question, answer, raw)
