"""`location`: where something is, in the resident's own words (a street,
landmark or postcode). Maps and address lookup will come with places."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from townhall.catalogue.engine.types.registry import register
from townhall.catalogue.engine.types.text import TextType


@register
class LocationType(TextType):
    name = "location"
    is_place = True
    in_groups = False
    messages = {**TextType.messages, "required": gettext_lazy("Enter where it is")}
