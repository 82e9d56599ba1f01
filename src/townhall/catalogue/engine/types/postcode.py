"""`postcode`: a full UK postcode, stored in capitals with one space."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy

from townhall.catalogue.engine.types.base import FormData, QuestionType, single
from townhall.catalogue.engine.types.registry import register

if TYPE_CHECKING:
    from townhall.catalogue.engine.definition import Question

UK_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")
NOT_A_POSTCODE = gettext_lazy("Enter a full UK postcode, like SW1A 2AA")


def normalise_postcode(typed: str) -> str:
    """SW1A 2AA however it was typed, or what was typed (in capitals, without
    spaces) if it is not a postcode."""
    raw = re.sub(r"\s+", "", typed.upper())
    if raw and (match := UK_POSTCODE.match(raw)):
        return f"{match.group(1)} {match.group(2)}"
    return raw


def is_postcode(value: Any) -> bool:
    return isinstance(value, str) and UK_POSTCODE.fullmatch(value) is not None


@register
class PostcodeType(QuestionType):
    name = "postcode"
    api_datatype = "string"
    is_place = True
    in_groups = True
    messages = {"required": gettext_lazy("Enter a postcode"), "invalid": NOT_A_POSTCODE}
    named_messages = {"required": gettext_lazy("Enter %(what)s")}

    def parse(self, question: Question, data: FormData, files: FormData) -> Any:
        return normalise_postcode(single(data, question.id))

    def check(self, question: Question, value: Any) -> str | None:
        return None if is_postcode(value) else self.message(question, "invalid")
