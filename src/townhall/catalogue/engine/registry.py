"""A per-process cache of parsed definitions. Published versions never change,
so each is parsed once per process and language; drafts are parsed on every use.

The key is the version's id with its creation time, so a database that reuses
ids (a test database rolled back, a restored backup) never gets a stale entry.
The cache keeps the MAX_ENTRIES definitions used most recently, shared by the
threads of a process (callers must not change what it returns).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from townhall.catalogue.engine.definition import ServiceDefinition, parse_definition
from townhall.catalogue.engine.languages import language_for

MAX_ENTRIES = 1024
_parsed: OrderedDict[tuple[Hashable, str], ServiceDefinition] = OrderedDict()
_lock = threading.Lock()


def definition_for_version(
    key: Hashable | None, data: Any, *, frozen: bool, language: str
) -> ServiceDefinition:
    """The version's definition (`data`) parsed with its text in `language`."""
    language = language_for(language)
    if key is None or not frozen:
        return parse_definition(data, language=language)
    found = definition_known(key, language)
    if found is None:
        found = parse_definition(data, language=language)
        with _lock:
            _parsed[key, language] = found
            if len(_parsed) > MAX_ENTRIES:
                _parsed.popitem(last=False)  # the one used least recently
    return found


def definition_known(key: Hashable, language: str) -> ServiceDefinition | None:
    """The published version `key`'s definition in `language` if this process
    has parsed it already: a reader of many cases needs each version's
    definition row only when this returns None."""
    entry = (key, language_for(language))
    with _lock:
        found = _parsed.get(entry)
        if found is not None:
            _parsed.move_to_end(entry)
    return found
