"""The JSON Schema every service definition is checked against.

`service-definition.schema.json` holds everything but the question types: the
list of types and the properties each takes are added from the question-type
registry, so a type's module is the one place that says what it accepts. The
condition definition comes from the operator registry (the file keeps a copy
for authors and their editors: `python -m townhall.catalogue.engine.conditions`
rewrites it)."""

from __future__ import annotations

import copy
import json
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from townhall.catalogue.engine import types
from townhall.catalogue.engine.conditions import condition_schema, operators_version

SCHEMA_PATH = Path(__file__).with_name("service-definition.schema.json")


@cache
def _frame() -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(SCHEMA_PATH.read_text())
    return frame


def shared_question_properties() -> frozenset[str]:
    """The properties every question may have, whatever its type."""
    return frozenset(_frame()["$defs"]["question"]["properties"]) | {"type"}


def schema_file() -> dict[str, Any]:
    """What the schema file holds: the frame, with the registered operators."""
    schema = copy.deepcopy(_frame())
    schema["$defs"]["condition"] = condition_schema()
    return schema


def schema_generation() -> tuple[int, int]:
    """Changes whenever a question type or an operator is registered or removed."""
    return types.generation(), operators_version()


def definition_schema() -> dict[str, Any]:
    """The whole schema, with the registered question types and operators, as
    data. Checks and the walk over text fields both read this one, so a field
    the schema marks as text is treated as text everywhere. Do not change it."""
    return _assembled(schema_generation())


@lru_cache(maxsize=4)
def _assembled(generation: tuple[int, int]) -> dict[str, Any]:
    schema = schema_file()
    question = schema["$defs"]["question"]
    shared = set(question["properties"])
    properties = {"type": {"enum": [kind.name for kind in types.question_types()]}}
    properties.update(question["properties"])
    for kind in types.question_types():
        for name, fragment in kind.schema_properties().items():
            if name in shared:
                raise ValueError(f"question type {kind.name!r} redefines the property {name!r}")
            properties.setdefault(name, fragment)  # the registry refuses differing ones
    question["properties"] = properties
    return schema
