"""Question types: one module per type, each registered by name.

    from townhall.catalogue.engine.types import question_type
    question_type("date").display(question, "2026-01-05")  # "5 January 2026"

See docs/architecture.md, "Question types", for how to add one.
"""

from townhall.catalogue.engine.types import (  # noqa: F401  (each registers its type)
    address,
    checkboxes,
    date,
    declaration,
    email,
    file,
    group,
    location,
    name,
    number,
    phone,
    postcode,
    radios,
    select,
    text,
    textarea,
    yes_no,
)
from townhall.catalogue.engine.types.base import (
    AnswerError,
    Item,
    NewFiles,
    QuestionType,
    is_empty,
)
from townhall.catalogue.engine.types.registry import (
    UnknownQuestionType,
    check_answer,
    display_answer,
    export_value,
    generation,
    parse_input,
    question_type,
    question_types,
    register,
    unregister,
)

__all__ = [
    "AnswerError",
    "Item",
    "NewFiles",
    "QuestionType",
    "UnknownQuestionType",
    "check_answer",
    "display_answer",
    "export_value",
    "generation",
    "is_empty",
    "parse_input",
    "question_type",
    "question_types",
    "register",
    "unregister",
]
