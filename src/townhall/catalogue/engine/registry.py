"""A per-process cache of parsed definitions. Published versions never change,
so each is parsed once per process and language; drafts are parsed on every use.

The key is the version's id with its creation time, so a database that reuses
ids (a test database rolled back, a restored backup) never gets a stale entry.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from townhall.catalogue.engine.definition import ServiceDefinition, parse_definition
from townhall.catalogue.engine.languages import language_for

_MAX_ENTRIES = 1024
_parsed: dict[tuple[Hashable, str], ServiceDefinition] = {}


def definition_for_version(
    key: Hashable | None, data: Any, *, frozen: bool, language: str
) -> ServiceDefinition:
    """The version's definition (`data`) parsed with its text in `language`."""
    language = language_for(language)
    if key is None or not frozen:
        return parse_definition(data, language=language)
    found = _parsed.get((key, language))
    if found is None:
        found = parse_definition(data, language=language)
        if len(_parsed) >= _MAX_ENTRIES:
            _parsed.clear()
        _parsed[key, language] = found
    return found
