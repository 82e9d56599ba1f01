"""Small helpers for GOV.UK Frontend markup in templates."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """`{{ errors|get_item:question.id }}`: look a key up in a dict."""
    if hasattr(mapping, "get"):
        return mapping.get(key)
    return None


@register.filter
def entries(mapping: Any) -> list[tuple[Any, Any]]:
    """`{% for key, value in errors|entries %}`: a dict's pairs. Django's own
    `errors.items` would look up a key named "items" first, and question ids
    such as `items`, `keys` or `values` are allowed."""
    return list(mapping.items()) if hasattr(mapping, "items") else []


@register.filter
def is_selected(value: Any, option: str) -> bool:
    """True when `option` is the answer, or one of the answers."""
    if isinstance(value, list | tuple):
        return option in value
    return value == option
