"""`textarea`: a multi-line text box, for longer answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from townhall.catalogue.engine.types.base import FormData
from townhall.catalogue.engine.types.registry import register
from townhall.catalogue.engine.types.text import TextType

if TYPE_CHECKING:
    from townhall.catalogue.engine.definition import Question


@register
class TextareaType(TextType):
    name = "textarea"
    api_datatype = "text"
    default_max_length = 5000

    def widget(
        self, question: Question, answer: Any, raw: FormData, *, extra_items: int = 0
    ) -> dict[str, Any]:
        """The character count's limit: the same one `check` enforces on the server."""
        return {"character_limit": question.max_length or self.default_max_length}
