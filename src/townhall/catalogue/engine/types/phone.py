"""`phone`: a UK phone number, stored without spaces, brackets or hyphens."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy

from townhall.catalogue.engine.types.base import FormData, QuestionType, single
from townhall.catalogue.engine.types.registry import register

if TYPE_CHECKING:
    from townhall.catalogue.engine.definition import Question

UK_PHONE = re.compile(r"^(\+44|0044|0)\d{9,10}$")


@register
class PhoneType(QuestionType):
    name = "phone"
    in_groups = True
    messages = {
        "required": gettext_lazy("Enter a phone number"),
        "invalid": gettext_lazy("Enter a UK phone number, like 01632 960 001 or 07700 900 982"),
    }

    def parse(self, question: Question, data: FormData, files: FormData) -> Any:
        return re.sub(r"[\s()-]", "", single(data, question.id))

    def check(self, question: Question, value: Any) -> str | None:
        if not isinstance(value, str) or not UK_PHONE.fullmatch(value):
            return self.message(question, "invalid")
        return None
