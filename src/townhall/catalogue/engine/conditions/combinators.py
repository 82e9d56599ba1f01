"""`all`, `any` and `not`: conditions made of other conditions."""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from townhall.catalogue.engine.conditions.context import ConditionContext
from townhall.catalogue.engine.conditions.evaluator import (
    condition_problems,
    describe,
    evaluate,
    operator_of,
)
from townhall.catalogue.engine.conditions.registry import Operator, problem
from townhall.catalogue.engine.conditions.values import Subject
from townhall.catalogue.engine.conditions.words import Wording, bracketed

CONDITION_REF = {"$ref": "#/$defs/condition"}


def _part_words(condition: Mapping[str, Any], wording: Wording) -> str:
    text = describe(condition, wording)
    return bracketed(text) if operator_of(condition).joins else text


class _Combinator(Operator):
    def _no_question(self, condition: Mapping[str, Any], where: str) -> list[str]:
        if "question" in condition:
            message = _("%(test)s joins conditions and does not take a question")
            return [problem(f"{where}.question", message % {"test": self.key})]
        return []


class _Joining(_Combinator):
    """A list of conditions, joined by a word: `{all: [c1, c2]}`."""

    joins = True

    def schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "required": [self.key],
            "additionalProperties": False,
            "properties": {self.key: {"type": "array", "minItems": 1, "items": CONDITION_REF}},
        }

    def problems(
        self, condition: Mapping[str, Any], *, where: str, asked: Mapping[str, Subject] | None
    ) -> list[str]:
        parts = condition[self.key]
        if not isinstance(parts, list) or not parts:
            message = _("must be a list of one or more conditions")
            return [*self._no_question(condition, where), problem(f"{where}.{self.key}", message)]
        return [
            *self._no_question(condition, where),
            *(
                found
                for i, part in enumerate(parts)
                for found in condition_problems(part, where=f"{where}.{self.key}[{i}]", asked=asked)
            ),
        ]

    def words(self, condition: Mapping[str, Any], wording: Wording) -> str:
        parts = [_part_words(part, wording) for part in condition[self.key]]
        text = parts[0]
        for part in parts[1:]:
            text = self.join(text, part)
        return text

    @abc.abstractmethod
    def join(self, first: str, second: str) -> str:
        """Two conditions' words joined, as this operator joins them."""


class All(_Joining):
    """Holds when every condition in the list holds."""

    key = "all"

    def holds(self, condition: Mapping[str, Any], context: ConditionContext) -> bool:
        return all(evaluate(part, context) for part in condition[self.key])

    def join(self, first: str, second: str) -> str:
        return _("%(first)s and %(second)s") % {"first": first, "second": second}


class AnyOf(_Joining):
    """Holds when at least one condition in the list holds."""

    key = "any"

    def holds(self, condition: Mapping[str, Any], context: ConditionContext) -> bool:
        return any(evaluate(part, context) for part in condition[self.key])

    def join(self, first: str, second: str) -> str:
        return _("%(first)s or %(second)s") % {"first": first, "second": second}


class Not(_Combinator):
    """Holds when its condition does not."""

    key = "not"

    def schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "required": [self.key],
            "additionalProperties": False,
            "properties": {self.key: CONDITION_REF},
        }

    def problems(
        self, condition: Mapping[str, Any], *, where: str, asked: Mapping[str, Subject] | None
    ) -> list[str]:
        inner = condition_problems(condition[self.key], where=f"{where}.{self.key}", asked=asked)
        return [*self._no_question(condition, where), *inner]

    def holds(self, condition: Mapping[str, Any], context: ConditionContext) -> bool:
        return not evaluate(condition[self.key], context)

    def words(self, condition: Mapping[str, Any], wording: Wording) -> str:
        inner = _part_words(condition[self.key], wording)
        return _("not %(condition)s") % {"condition": inner}
