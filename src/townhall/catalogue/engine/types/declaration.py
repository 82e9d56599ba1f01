"""`declaration`: one checkbox under the label, for the resident to confirm
it; stored as true once ticked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from townhall.catalogue.engine.types.base import FormData, QuestionType, single
from townhall.catalogue.engine.types.registry import register

if TYPE_CHECKING:
    from townhall.catalogue.engine.definition import Question


@register
class DeclarationType(QuestionType):
    name = "declaration"
    fieldset = True
    messages = {"required": gettext_lazy("Select the box to confirm")}
    named_messages = {"required": gettext_lazy("Confirm %(what)s")}

    def parse(self, question: Question, data: FormData, files: FormData) -> Any:
        return single(data, question.id) == "yes" or ""

    def check(self, question: Question, value: Any) -> str | None:
        return None if value is True else self.required_message(question)

    def display(self, question: Question, value: Any) -> str:
        return _("Confirmed")
