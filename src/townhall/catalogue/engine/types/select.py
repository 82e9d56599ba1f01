"""`select`: one choice from a drop-down list of options."""

from __future__ import annotations

from townhall.catalogue.engine.types.radios import RadiosType
from townhall.catalogue.engine.types.registry import register


@register
class SelectType(RadiosType):
    name = "select"
    fieldset = False
