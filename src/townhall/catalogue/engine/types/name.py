"""`name`: a person's name, in a text box that browsers fill in as a name."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from townhall.catalogue.engine.types.registry import register
from townhall.catalogue.engine.types.text import TextType


@register
class NameType(TextType):
    name = "name"
    messages = {**TextType.messages, "required": gettext_lazy("Enter a name")}
