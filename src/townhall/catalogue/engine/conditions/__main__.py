"""Rewrite the schema file's condition definition from the registered
operators, after adding one: `python -m townhall.catalogue.engine.conditions`."""

import json

from townhall.catalogue.engine.validation import SCHEMA_PATH, schema_with_operators

SCHEMA_PATH.write_text(json.dumps(schema_with_operators(), indent=2, ensure_ascii=False) + "\n")
