"""`textarea`: a multi-line text box, for longer answers."""

from __future__ import annotations

from townhall.catalogue.engine.types.registry import register
from townhall.catalogue.engine.types.text import TextType


@register
class TextareaType(TextType):
    name = "textarea"
    api_datatype = "text"
    default_max_length = 5000
