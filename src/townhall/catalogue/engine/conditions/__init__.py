"""Conditions (`when`) that show a page or question, skip ahead, or route a
case, depending on the answers. Each operator is one class in its own module;
this package registers the built-in ones and offers the one evaluator that
the engine, import validation and the staff preview all use."""

from townhall.catalogue.engine.conditions.answered import Answered
from townhall.catalogue.engine.conditions.combinators import All, AnyOf, Not
from townhall.catalogue.engine.conditions.comparisons import GreaterThan, LessThan
from townhall.catalogue.engine.conditions.contains import Contains
from townhall.catalogue.engine.conditions.context import AreaLookup, ConditionContext, no_areas
from townhall.catalogue.engine.conditions.equals import Equals
from townhall.catalogue.engine.conditions.evaluator import (
    condition_holds,
    condition_problems,
    condition_schema,
    condition_words,
)
from townhall.catalogue.engine.conditions.in_area import InArea
from townhall.catalogue.engine.conditions.one_of import In
from townhall.catalogue.engine.conditions.registry import (
    Operator,
    QuestionOperator,
    operators_version,
    register_operator,
    registered_operators,
    unregister_operator,
)
from townhall.catalogue.engine.conditions.values import AnswerKind, Subject

for _operator in (
    All,
    AnyOf,
    Not,
    Equals,
    In,
    Contains,
    Answered,
    GreaterThan,
    LessThan,
    InArea,
):
    register_operator(_operator)

__all__ = [
    "AnswerKind",
    "AreaLookup",
    "ConditionContext",
    "Operator",
    "QuestionOperator",
    "Subject",
    "condition_holds",
    "condition_problems",
    "condition_schema",
    "condition_words",
    "no_areas",
    "operators_version",
    "register_operator",
    "registered_operators",
    "unregister_operator",
]
