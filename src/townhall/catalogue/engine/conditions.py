"""Conditions that show a page or question only when earlier answers match."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def condition_holds(condition: Mapping[str, Any] | None, answers: Mapping[str, Any]) -> bool:
    """True when `condition` (or no condition) holds for `answers`."""
    if condition is None:
        return True
    if "all" in condition:
        return all(condition_holds(part, answers) for part in condition["all"])
    if "any" in condition:
        return any(condition_holds(part, answers) for part in condition["any"])
    if "not" in condition:
        return not condition_holds(condition["not"], answers)
    value = answers.get(condition["question"])
    if "answered" in condition:
        return (value not in (None, "", [])) == condition["answered"]
    if "equals" in condition:
        return value == condition["equals"]
    if "in" in condition:
        return value in condition["in"]
    if "contains" in condition:
        return isinstance(value, list) and condition["contains"] in value
    if "greater_than" in condition:
        return isinstance(value, int | float) and value > condition["greater_than"]
    if "less_than" in condition:
        return isinstance(value, int | float) and value < condition["less_than"]
    raise ValueError(f"unknown condition {dict(condition)!r}")
