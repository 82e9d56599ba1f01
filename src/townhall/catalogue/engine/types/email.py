"""`email`: an email address, stored in lower case."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy

from townhall.catalogue.engine.types.base import FormData, QuestionType, single
from townhall.catalogue.engine.types.registry import register

if TYPE_CHECKING:
    from townhall.catalogue.engine.definition import Question


@register
class EmailType(QuestionType):
    name = "email"
    api_datatype = "string"
    in_groups = True
    messages = {
        "required": gettext_lazy("Enter an email address"),
        "invalid": gettext_lazy(
            "Enter an email address in the correct format, like name@example.com"
        ),
    }
    named_messages = {"required": gettext_lazy("Enter %(what)s")}

    def parse(self, question: Question, data: FormData, files: FormData) -> Any:
        return single(data, question.id).lower()

    def check(self, question: Question, value: Any) -> str | None:
        if not isinstance(value, str) or len(value) > 254:
            return self.message(question, "invalid")
        try:
            validate_email(value)
        except ValidationError:
            return self.message(question, "invalid")
        return None
