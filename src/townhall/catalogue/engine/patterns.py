"""Authors' patterns: the regular expression a definition may give a text
question (`pattern`), which the whole answer must match.

They run on RE2, whose time grows with the answer's length and never with
what the pattern does (Python's `re` backtracks: `(a+)+b` against 30 a's takes
minutes), so no definition can make a worker hang. RE2 cannot run what needs
backtracking (backreferences, lookahead and lookbehind, atomic groups), and a
definition that uses them is refused on import, naming the path. The engine's
own fixed patterns stay on Python's `re`; they are ours, not an author's.

Patterns mean what they meant when Python ran them, answers match as
`re.fullmatch` matched them: `\\d`, `\\s` and `\\w` are given to RE2 as the
Unicode classes Python uses, and what RE2 would read differently (`{,n}`) is
refused. What still differs is listed in docs/service-definitions.md.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import re2
from django.utils.translation import gettext as _

# RE2's own limit on memory for one pattern (8 MiB is its default); a pattern
# that needs more is refused on import as too large.
MAX_MEMORY = 8 << 20

# Python's `{,n}` and `{,}`, which RE2 reads as text.
_UPTO_REPEAT = re.compile(r"\{,[0-9]*\}")
# What Python's `\d`, `\s` and `\w` match in text (str.isdecimal, str.isspace,
# str.isalnum or "_"), as RE2 classes; outside brackets and inside them.
_SPACE = r"\t-\r\x1c-\x20\x85\p{Z}"
_WORD = r"\p{L}\p{N}_"
_INSIDE = {"d": r"\p{Nd}", "D": r"\P{Nd}", "s": _SPACE, "w": _WORD}
_OUTSIDE = {
    "d": r"\p{Nd}",
    "D": r"\P{Nd}",
    "s": f"[{_SPACE}]",
    "S": f"[^{_SPACE}]",
    "w": f"[{_WORD}]",
    "W": f"[^{_WORD}]",
}


class PatternError(ValueError):
    """The pattern cannot be used; the message says why, for the author."""


def _options() -> re2.Options:
    options = re2.Options()
    options.max_mem = MAX_MEMORY
    options.log_errors = False  # the author is told; nothing for the log
    return options


def _reason(pattern: str, error: str) -> str:
    """RE2's complaint, in words an author can act on."""
    operator = error.partition(": ")[2]
    if operator in {"(?=", "(?!"}:
        return _("lookahead is not supported")
    if operator in {"(?<=", "(?<!"}:
        return _("lookbehind is not supported")
    if re.fullmatch(r"\\[1-9k]", operator) or "(?P=" in pattern:
        return _("backreferences are not supported")
    if operator == "(?>" or (error.startswith("bad repetition") and operator.endswith("+")):
        return _("atomic groups and possessive repeats are not supported")
    if operator == "(?(":
        return _("conditional groups are not supported")
    if operator == "\\Z":
        return _("\\Z is not supported: the whole answer must match the pattern anyway")
    if error.startswith("invalid repetition size"):
        return _(
            "the repeat %(repeat)s is not allowed (at most 1000, nested repeats multiplied)"
        ) % {"repeat": operator}
    if error.startswith("pattern too large"):
        return _("the pattern is too large")
    if operator not in pattern:  # RE2 quotes the pattern as rewritten for it
        return error.partition(": ")[0]
    return error


def _for_re2(pattern: str) -> str:
    """The pattern as RE2 should see it to match what Python's `re` matches:
    `\\d`, `\\s` and `\\w` (and their opposites) written out as the Unicode
    classes Python gives them, since RE2's are ASCII only. Raises PatternError
    for what RE2 would read otherwise than Python (`{,n}`, which it reads as
    text, and `[[:alpha:]]`) and for `\\S` or `\\W` inside brackets, which have
    no RE2 equivalent there."""
    written: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            letter = pattern[i + 1]
            classes = _INSIDE if in_class else _OUTSIDE
            if in_class and letter in "SW":
                raise PatternError(_("\\S and \\W are not supported inside [ ]"))
            written.append(classes.get(letter, pattern[i : i + 2]))
            i += 2
        elif in_class:
            if pattern.startswith("[:", i) and pattern.find(":]", i + 2) != -1:
                # Text to Python (with a warning), a class of letters to RE2.
                raise PatternError(_("classes such as [:alpha:] are not supported"))
            in_class = char != "]"
            written.append(char)
            i += 1
        elif char == "[":
            # A "]" first in the class (after any "^") is a character, not its end.
            start, i = i, i + 1
            i += pattern.startswith("^", i)
            i += pattern.startswith("]", i)
            written.append(pattern[start:i])
            in_class = True
        elif _UPTO_REPEAT.match(pattern, i):
            raise PatternError(_("{,n} is not supported: write {0,n}"))
        else:
            written.append(char)
            i += 1
    return "".join(written)


@lru_cache(maxsize=256)
def compile_pattern(pattern: str) -> Any:
    """The compiled pattern (cached). Raises PatternError saying why it cannot be used."""
    try:
        return re2.compile(_for_re2(pattern), _options())
    except re2.error as error:
        message = error.args[0] if error.args else ""
        if isinstance(message, bytes):
            message = message.decode("utf-8", "replace")
        raise PatternError(_reason(pattern, str(message))) from None
    except UnicodeError:  # a lone surrogate cannot be written as UTF-8
        raise PatternError(_("the pattern contains a character that is not text")) from None


def pattern_problem(pattern: str) -> str | None:
    """Why `pattern` cannot be used, or None when it can."""
    try:
        compile_pattern(pattern)
    except PatternError as error:
        return str(error)
    return None


def pattern_matches(pattern: str, text: str) -> bool:
    """Whether the whole of `text` matches `pattern` (as `re.fullmatch` does).
    Raises PatternError for a pattern that cannot be used."""
    compiled = compile_pattern(pattern)
    try:
        return compiled.fullmatch(text) is not None
    except UnicodeError:  # text with a lone surrogate matches nothing
        return False
