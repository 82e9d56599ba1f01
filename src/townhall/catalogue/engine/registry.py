"""A per-process cache of parsed definitions. Published versions never change,
so each is parsed once per process; drafts are parsed on every use."""

from __future__ import annotations

from typing import Any

from townhall.catalogue.engine.definition import ServiceDefinition, parse_definition

_MAX_ENTRIES = 1024
_parsed: dict[int, ServiceDefinition] = {}


def definition_for_version(version_id: int | None, data: Any, *, frozen: bool) -> ServiceDefinition:
    if version_id is None or not frozen:
        return parse_definition(data)
    found = _parsed.get(version_id)
    if found is None:
        found = parse_definition(data)
        if len(_parsed) >= _MAX_ENTRIES:
            _parsed.clear()
        _parsed[version_id] = found
    return found
