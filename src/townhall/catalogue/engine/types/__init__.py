"""Question types: one module per type, each registered by name.

    from townhall.catalogue.engine.types import question_type
    question_type("date").display(question, "2026-01-05")  # "5 January 2026"

Every module in this package other than `base`, `registry` and those whose
names start with an underscore is a type, and
is imported (so registered) with the package: adding a type is adding its
module here and its template under templates/questions/. See
docs/architecture.md, "Question types".
"""

import importlib
import pkgutil

from townhall.catalogue.engine.types.base import (
    AnswerError,
    AnswerPending,
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
    "AnswerPending",
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

_NOT_TYPES = {"base", "registry"}
for _module in sorted(pkgutil.iter_modules(__path__), key=lambda found: found.name):
    if _module.name not in _NOT_TYPES and not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")
