"""Rewrite the schema file's condition definition from the registered
operators, after adding one: `python -m townhall.catalogue.engine.conditions`."""

import json

from townhall.catalogue.engine.schema import SCHEMA_PATH, schema_file

SCHEMA_PATH.write_text(json.dumps(schema_file(), indent=2, ensure_ascii=False) + "\n")
