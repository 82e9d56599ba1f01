"""The first check of a definition, before its schema: that it is plain data a
definition can hold and a database can store. Mappings with text keys, lists,
text, whole numbers, finite numbers, true, false and null, and nothing else:
no dates, binary or sets, no number too large for JSON tools to agree on, no
text a database cannot encode, and no structure too large or deep to walk.

Readers of files (`catalogue.transfer`) put an `Unreadable` where a file holds
a value that cannot become plain data (a date that does not exist, a number
with thousands of digits), so that it is named by its path here like any other.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

# Far beyond any real definition; they stop a small file from becoming a huge
# or bottomless structure (YAML aliases, nesting) before anything else walks it.
MAX_DEPTH = 40
MAX_VALUES = 100_000
# The largest whole number every JSON reader agrees on (JavaScript's safe
# integer); it also keeps far below Python's limit on printing integers.
MAX_NUMBER = 2**53 - 1
# Half of a UTF-16 pair on its own: no UTF-8 text or database can hold one.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_SHOWN = 40  # characters of a value written into a message


@dataclass(frozen=True)
class Unreadable:
    """A value in a file that could not become plain data: `text` as written
    (shortened), `problem` what is wrong with it, in words."""

    text: str
    problem: str


def shown(text: str) -> str:
    """Text as a message can quote it: short, with lone surrogates escaped."""
    short = text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"
    return short.encode("utf-8", "backslashreplace").decode("utf-8")


def path_text(parts: Iterable[str | int]) -> str:
    """Where a value is, as every problem writes it: pages[2].questions[0].min."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{shown(part)}" if text else shown(part)
    return text or "(definition)"


def plain_data_problems(data: Any) -> list[str]:
    """Every value in `data` a definition cannot hold, each as 'path: what is
    wrong'; or only that it is too large or deep, when it is."""
    problems: list[str] = []
    count = 0
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack:
        value, where = stack.pop()
        count += 1
        if count > MAX_VALUES or len(where) > MAX_DEPTH:
            return [too_large()]
        if isinstance(value, dict):
            for key, item in reversed(value.items()):
                problem = _key_problem(key)
                if problem:
                    problems.append(f"{path_text(where)}: {problem}")
                else:
                    stack.append((item, (*where, key)))
        elif isinstance(value, list):
            stack.extend((item, (*where, i)) for i, item in reversed(list(enumerate(value))))
        else:
            problem = value_problem(value)
            if problem:
                problems.append(f"{path_text(where)}: {problem}")
    return problems


def value_problem(value: Any) -> str | None:
    """What is wrong with one value that is not a mapping or list, if anything."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        if LONE_SURROGATE.search(value):
            return _("contains a character that is not valid text (a lone surrogate)")
        return None
    if isinstance(value, int):
        return whole_number_too_large() if abs(value) > MAX_NUMBER else None
    if isinstance(value, float):
        if math.isfinite(value):
            return None
        return _("%(value)s is not a number a definition can hold") % {"value": value}
    if isinstance(value, Unreadable):
        return value.problem
    return _type_problem(value)


def whole_number_too_large() -> str:
    """The problem with a whole number beyond MAX_NUMBER either side of zero
    (readers of files say it too of numbers too long to read at all)."""
    message = _("number too large: a whole number must be between -%(max)d and %(max)d")
    return message % {"max": MAX_NUMBER}


def number_too_large() -> str:
    """The problem with a number beyond what a floating-point number can hold."""
    return _("number too large")


def too_large() -> str:
    """The problem with a definition beyond MAX_VALUES or MAX_DEPTH."""
    return _("the definition is too large or nested too deeply")


def date_problem(*, with_time: bool) -> str:
    """The problem with a date (YAML reads 2026-04-01 unquoted as one)."""
    if with_time:
        return _("a date and time cannot be stored; put it in quotes")
    return _("a date cannot be stored; put it in quotes")


def _type_problem(value: Any) -> str:
    if isinstance(value, dt.date):
        return date_problem(with_time=isinstance(value, dt.datetime))
    if isinstance(value, bytes | bytearray):
        return _("binary data cannot be stored")
    if isinstance(value, set | frozenset):
        return _("a set cannot be stored; write a list")
    return _("a value of type %(type)s cannot be stored") % {"type": type(value).__name__}


def _key_problem(key: Any) -> str | None:
    if isinstance(key, str):
        if LONE_SURROGATE.search(key):
            return _(
                "the key '%(key)s' contains a character that is not valid text (a lone surrogate)"
            ) % {"key": shown(key)}
        return None
    if isinstance(key, Unreadable):
        written = key.text
    elif isinstance(key, int) and not isinstance(key, bool) and abs(key) > MAX_NUMBER:
        written = _("(a number too large to show)")
    elif key is None or isinstance(key, int | float):
        written = repr(key)
    else:  # a tuple or other object given in code: its repr may not even be printable
        written = f"({type(key).__name__})"
    return _("the key %(key)s must be text; put it in quotes") % {"key": written}
