"""The registry of condition operators, by the key that names each one in a
definition (`equals`, `all`, ...). Everything about an operator lives in its
own class; the registry only knows their names."""

from __future__ import annotations

import abc
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django.utils.translation import gettext as _

from townhall.catalogue.engine.conditions.context import ConditionContext
from townhall.catalogue.engine.conditions.values import Subject

if TYPE_CHECKING:
    from townhall.catalogue.engine.conditions.words import Wording

# The schema's `identifier`, which names a question; a test keeps them equal.
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
IDENTIFIER_MAX_LENGTH = 60


def problem(where: str, message: str) -> str:
    """A problem as every import message writes it: `path: what is wrong`."""
    return f"{where}: {message}"


class Operator(abc.ABC):
    """One kind of condition. It owns its part of the JSON Schema, its checks
    on import, how it is evaluated over a context, and its words for staff."""

    key: ClassVar[str]
    # True for operators that join several conditions (all, any): their words
    # are put in brackets inside another operator's.
    joins: ClassVar[bool] = False

    @abc.abstractmethod
    def schema(self) -> dict[str, Any]:
        """The JSON Schema of a condition written with this operator."""

    @abc.abstractmethod
    def problems(
        self, condition: Mapping[str, Any], *, where: str, asked: Mapping[str, Subject] | None
    ) -> list[str]:
        """Every problem with `condition`, each naming its path under `where`.
        `asked` holds the questions asked before the condition; None checks
        the condition's shape only (what the schema checks, in words)."""

    @abc.abstractmethod
    def holds(self, condition: Mapping[str, Any], context: ConditionContext) -> bool:
        """Whether `condition` (already checked on import) holds in `context`."""

    @abc.abstractmethod
    def words(self, condition: Mapping[str, Any], wording: Wording) -> str:
        """The condition as staff read it: a translatable sentence."""


class QuestionOperator(Operator):
    """An operator that tests one question's answer: `{question: q, <key>: operand}`.
    A subclass says what its operand may be and how it tests an answer."""

    operand_schema: ClassVar[dict[str, Any]]

    def schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["question", self.key],
            "additionalProperties": False,
            "properties": {
                "question": {"$ref": "#/$defs/identifier"},
                self.key: self.operand_schema,
            },
        }

    def problems(
        self, condition: Mapping[str, Any], *, where: str, asked: Mapping[str, Subject] | None
    ) -> list[str]:
        if "question" not in condition:
            return [problem(where, _("%(test)s needs a question to test") % {"test": self.key})]
        question = condition["question"]
        if not _is_identifier(question):
            return [problem(f"{where}.question", _("must be the id of a question"))]
        operand = condition[self.key]
        shape = self.operand_problems(operand, f"{where}.{self.key}")
        if shape or asked is None:
            return shape
        subject = asked.get(question)
        if subject is None:
            message = _("%(question)r is not asked before this point") % {"question": question}
            return [problem(f"{where}.question", message)]
        return self.subject_problems(operand, subject, f"{where}.{self.key}")

    def holds(self, condition: Mapping[str, Any], context: ConditionContext) -> bool:
        return self.test(context.answer(condition["question"]), condition[self.key], context)

    def words(self, condition: Mapping[str, Any], wording: Wording) -> str:
        return self.describe(condition["question"], condition[self.key], wording)

    @abc.abstractmethod
    def operand_problems(self, operand: Any, where: str) -> list[str]:
        """What `operand_schema` refuses, in words; `where` is the operand's path."""

    def subject_problems(self, operand: Any, subject: Subject, where: str) -> list[str]:
        """Problems with the operand for this question (its type, its options)."""
        return []

    @abc.abstractmethod
    def test(self, answer: Any, operand: Any, context: ConditionContext) -> bool:
        """Whether `answer` passes; a missing answer is None."""

    @abc.abstractmethod
    def describe(self, question_id: str, operand: Any, wording: Wording) -> str:
        """The test in words, naming the question through `wording`."""


def _is_identifier(value: Any) -> bool:
    # re.search, as JSON Schema's `pattern` does, so both agree on every id.
    return (
        isinstance(value, str)
        and len(value) <= IDENTIFIER_MAX_LENGTH
        and IDENTIFIER.search(value) is not None
    )


OperatorClass = TypeVar("OperatorClass", bound=type[Operator])


class _Registry:
    def __init__(self) -> None:
        self.operators: dict[str, Operator] = {}
        self.version = 0  # changes on every change, so cached schemas are rebuilt


_registry = _Registry()


def register_operator(operator_class: OperatorClass) -> OperatorClass:
    """Add an operator; usable as a class decorator."""
    key = operator_class.key
    if key == "question" or key in _registry.operators:
        raise ValueError(f"a condition operator named {key!r} is already registered")
    _registry.operators[key] = operator_class()
    _registry.version += 1
    return operator_class


def unregister_operator(key: str) -> None:
    """Remove an operator (for tests that register one of their own)."""
    del _registry.operators[key]
    _registry.version += 1


def operator_named(key: str) -> Operator | None:
    return _registry.operators.get(key)


def registered_operators() -> Mapping[str, Operator]:
    return MappingProxyType(_registry.operators)


def operators_version() -> int:
    """A number that changes whenever an operator is added or removed."""
    return _registry.version
