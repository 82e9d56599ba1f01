"""The question types a definition may use, by name.

Townhall's own types register themselves when `townhall.catalogue.engine.types`
is imported. Adding a type is one module with a `QuestionType` subclass
decorated with `register`, and one widget template.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.utils.translation import gettext as _

from townhall.catalogue.engine.types.base import FormData, QuestionType, is_empty

if TYPE_CHECKING:
    from townhall.catalogue.engine.conditions.context import ConditionContext
    from townhall.catalogue.engine.definition import Question

T = TypeVar("T", bound=type[QuestionType])

_types: dict[str, QuestionType] = {}
_generation = 0


class UnknownQuestionType(LookupError):
    """No registered question type has this name."""


def register(cls: T) -> T:
    """Register a question type (used as a class decorator). A property two types
    share must mean the same thing to both, so a different schema is refused."""
    global _generation
    kind = cls()
    if kind.name in _types:
        raise ValueError(f"a question type named {kind.name!r} is already registered")
    for other in _types.values():
        shared = kind.schema_properties().keys() & other.schema_properties().keys()
        for name in sorted(shared):
            if kind.schema_properties()[name] != other.schema_properties()[name]:
                raise ValueError(
                    f"{kind.name!r} gives the property {name!r} another schema than"
                    f" {other.name!r} does"
                )
    _types[kind.name] = kind
    _generation += 1
    return cls


def unregister(name: str) -> None:
    """Forget a question type: definitions using it are refused from now on."""
    global _generation
    del _types[name]
    _generation += 1


def question_type(name: str) -> QuestionType:
    try:
        return _types[name]
    except KeyError:
        raise UnknownQuestionType(name) from None


def question_types() -> tuple[QuestionType, ...]:
    """Every registered type, by name."""
    return tuple(_types[name] for name in sorted(_types))


def generation() -> int:
    """A number that changes whenever a type is registered or unregistered, so
    whatever is built from the registry (the schema) knows to build again."""
    return _generation


# ---- answers, whatever their type ------------------------------------------------


def parse_input(question: Question, data: FormData, files: FormData) -> Any:
    """Turn submitted form fields into an answer (or NewFiles). Raises AnswerError."""
    return question_type(question.type).parse(question, data, files)


def check_answer(
    question: Question, value: Any, context: ConditionContext | None = None
) -> str | None:
    """The message explaining why `value` is not acceptable, or None if it is.
    `context` gives today's date and the council (whose bank holidays date
    rules skip); without it, today and England and Wales."""
    kind = question_type(question.type)
    if is_empty(value):
        return kind.required_message(question) if question.required else None
    return kind.check_in(question, value, context)


def display_answer(question: Question, value: Any) -> str:
    """An answer as plain text for check answers, the staff case page and emails."""
    if is_empty(value):
        return _("Not provided")
    return question_type(question.type).display(question, value)


def export_value(question: Question, value: Any) -> Any:
    """An answer as a plain JSON value (None when there is none), for Open311
    attributes and open data: a date as ISO text, choices as their values,
    files as their names."""
    if is_empty(value):
        return None
    return question_type(question.type).export(question, value)
