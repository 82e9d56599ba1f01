"""The JSON Schema every service definition is checked against, read once."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).with_name("service-definition.schema.json")


@cache
def definition_schema() -> dict[str, Any]:
    """The schema as data. Checks and the walk over text fields both read this
    one, so a field the schema marks as text is treated as text everywhere."""
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text())
    return schema
