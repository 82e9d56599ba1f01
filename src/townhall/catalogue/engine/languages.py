"""Text in several languages.

Each text field of a definition (a field the schema types as `#/$defs/text`)
holds a string, or a map from language code to text with English as the
fallback: `label: {en: Where is it?, cy: Ble mae e?}`. A definition is resolved
for one language (`localise`) before it is built, so the engine, the views and
the emails only ever see strings, while the stored definition, and so every
export, keeps its maps exactly as they were imported.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import jsonschema
from django.conf import settings
from django.utils.translation import get_language

from townhall.catalogue.engine import types
from townhall.catalogue.engine.schema import definition_schema

FALLBACK_LANGUAGE = "en"
TEXT_REF = "#/$defs/text"
_LIMITS = ("minLength", "maxLength")

Where = tuple[str | int, ...]


def offered_languages() -> tuple[str, ...]:
    """The languages definitions may be written in: the installation's
    LANGUAGES by their main code ('en-gb' counts as 'en'), English first."""
    codes = [FALLBACK_LANGUAGE]
    for code, _name in settings.LANGUAGES:
        if (main := _main_code(code)) not in codes:
            codes.append(main)
    return tuple(codes)


def _main_code(code: str) -> str:
    return code.lower().replace("_", "-").split("-")[0]


def language_for(code: str | None) -> str:
    """The definition language for a Django language code: 'en-gb' gives 'en',
    'cy' gives 'cy', and a language definitions are not offered in gives English."""
    main = _main_code(code or "")
    return main if main in offered_languages() else FALLBACK_LANGUAGE


def active_language() -> str:
    """The definition language of the request (or task) running now."""
    return language_for(get_language())


def text_in(value: Any, language: str) -> Any:
    """A text field's value in `language`: its text in that language, else its
    English. An empty text counts as missing. A plain string is the same in all."""
    if isinstance(value, Mapping):
        return value.get(language) or value.get(FALLBACK_LANGUAGE, "")
    return value


def texts_of(value: Any) -> Iterator[tuple[Where, str]]:
    """Each text a field's value holds, with where it is below the field: the
    language code for a map, nothing for a plain string."""
    if isinstance(value, Mapping):
        for code, text in value.items():
            if isinstance(text, str):
                yield (code,), text
    elif isinstance(value, str):
        yield (), value


# ---- finding text fields through the schema --------------------------------------


@dataclass(frozen=True)
class TextField:
    """One text a definition holds: where, its value (a string or a map of
    languages), and the length limits the schema gives it."""

    where: Where
    value: Any
    limits: Mapping[str, int]

    @property
    def is_map(self) -> bool:
        return isinstance(self.value, Mapping)


def text_fields(data: Any) -> Iterator[TextField]:
    """Every text field in `data`, in the order written, found by walking the
    data beside the schema: a new field gets languages by referring to text."""
    yield from _walk(data, _root(), ())


def _walk(value: Any, place: _Place, where: Where) -> Iterator[TextField]:
    if place.text_limits is not None:
        yield TextField(where, value, place.text_limits)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if (child := place.child(key)) is not None:
                yield from _walk(item, child, (*where, key))
    elif isinstance(value, list) and (items := place.items()) is not None:
        for index, item in enumerate(value):
            yield from _walk(item, items, (*where, index))


class _Place:
    """The schema at one place in a definition: whether the value there is
    text, and what applies to its keys and items. Worked out once per place,
    since every parse walks the same schema."""

    _OTHER_KEYS = object()
    _ITEMS = object()

    def __init__(self, nodes: Iterable[Mapping[str, Any]]) -> None:
        self.nodes = _expand(nodes)
        texts = [node for node in self.nodes if node.get("$ref") == TEXT_REF]
        self.text_limits: Mapping[str, int] | None = (
            {key: node[key] for node in texts for key in _LIMITS if key in node} if texts else None
        )
        self._children: dict[object, _Place | None] = {}

    def child(self, key: str) -> _Place | None:
        named = any(key in node.get("properties", {}) for node in self.nodes)
        # Keys the schema does not name (state ids in transitions) share one place.
        slot = key if named else self._OTHER_KEYS
        if slot not in self._children:
            nodes = [child for node in self.nodes if (child := _property(node, key)) is not None]
            self._children[slot] = _Place(nodes) if nodes else None
        return self._children[slot]

    def items(self) -> _Place | None:
        if self._ITEMS not in self._children:
            nodes = [node["items"] for node in self.nodes if isinstance(node.get("items"), Mapping)]
            self._children[self._ITEMS] = _Place(nodes) if nodes else None
        return self._children[self._ITEMS]


def _root() -> _Place:
    return _root_for(types.generation())


@lru_cache(maxsize=4)
def _root_for(generation: int) -> _Place:
    """The schema's root, worked out again when a question type comes or goes."""
    return _Place([definition_schema()])


def _expand(nodes: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The schema nodes that apply at one place: these, the definitions they
    refer to, and the branches they combine (allOf, anyOf, oneOf, then, else)."""
    definitions = definition_schema().get("$defs", {})
    found: list[Mapping[str, Any]] = []
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if any(node is seen for seen in found):
            continue
        found.append(node)
        ref = node.get("$ref")
        if isinstance(ref, str) and ref != TEXT_REF and ref.startswith("#/$defs/"):
            target = definitions.get(ref.removeprefix("#/$defs/"))
            if isinstance(target, Mapping):
                stack.append(target)
        for key in ("allOf", "anyOf", "oneOf"):
            stack.extend(branch for branch in node.get(key, ()) if isinstance(branch, Mapping))
        stack.extend(node[key] for key in ("then", "else") if isinstance(node.get(key), Mapping))
    return found


def _property(node: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
    properties = node.get("properties", {})
    child = properties.get(key) if key in properties else node.get("additionalProperties")
    return child if isinstance(child, Mapping) else None


# ---- resolving, checking and summing up ------------------------------------------


def localise(data: Any, language: str) -> Any:
    """`data` with each text map replaced by its text in `language` (or its
    English). Data without maps is returned unchanged, not copied."""
    chosen = [(f.where, text_in(f.value, language)) for f in text_fields(data) if f.is_map]
    if not chosen:
        return data
    result = copy.deepcopy(data)
    for where, text in chosen:
        parent = result
        for part in where[:-1]:
            parent = parent[part]
        parent[where[-1]] = text
    return result


def language_problems(data: Any) -> list[tuple[Where, str]]:
    """What is wrong with the text maps of a definition the schema accepted:
    a language the installation does not offer, or a language's text outside
    the length limits of its field (the schema checks only plain strings)."""
    offered = offered_languages()
    problems: list[tuple[Where, str]] = []
    for field in text_fields(data):
        if not field.is_map:
            continue
        for code, text in field.value.items():
            if code not in offered:
                problems.append(((*field.where, code), f"unknown language {code!r}"))
                continue
            checker = _length_checker(tuple(sorted(field.limits.items())))
            problems += [((*field.where, code), e.message) for e in checker.iter_errors(text)]
    return problems


@cache
def _length_checker(limits: tuple[tuple[str, int], ...]) -> jsonschema.protocols.Validator:
    # The schema's own keywords, so a long Welsh label reads like a long English one.
    return jsonschema.Draft202012Validator({"type": "string", **dict(limits)})


@dataclass(frozen=True)
class LanguageCoverage:
    """A language a definition is written in, and the texts that are not
    written in it (shown in English instead), each by where it is."""

    language: str
    missing: tuple[Where, ...]


def language_coverage(data: Any) -> list[LanguageCoverage]:
    """Each language `data` has text in, English first, with what it lacks."""
    fields = [f for f in text_fields(data) if text_in(f.value, FALLBACK_LANGUAGE)]
    used = {code for f in fields if f.is_map for code, text in f.value.items() if text}
    order = [*offered_languages(), *sorted(used - set(offered_languages()))]
    return [
        LanguageCoverage(
            language=code,
            missing=tuple(
                f.where
                for f in fields
                if code != FALLBACK_LANGUAGE and not (f.is_map and f.value.get(code))
            ),
        )
        for code in order
        if code == FALLBACK_LANGUAGE or code in used
    ]
