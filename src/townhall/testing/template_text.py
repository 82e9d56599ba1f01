"""Find text in templates that people would read but that is not marked for
translation. `make test` runs it over every template (core/tests/test_translation.py);
`python -m townhall.testing.template_text [FILE ...]` prints what it finds.

A template is read with Django's own template lexer. What Django renders in
place of a tag or a variable is blanked out (keeping lines and columns), and
so is everything inside `{% blocktranslate %}` and `{% comment %}`. What is
left is plain markup: an HTML parser then reports every text node that holds a
letter (outside `<script>` and `<style>`) and every attribute a person reads
(`alt`, `title`, `aria-label`, `placeholder`, the `value` of an
`<input type="submit">` ...). A variable's string constants are reported too
when they are shown (`default:"None"`, `yesno:"Yes,No"`) unless written
`_("...")`. Whitespace, punctuation, digits, `{{ variables }}`, tag names and
attributes nobody reads (classes, ids, `href`, a `<button>`'s `value`) are
ignored.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import cast

from django.template.base import DebugLexer, TokenType, filter_re

TEMPLATE_SUFFIXES = {".html", ".txt"}
# Attributes whose value people read (or hear, from a screen reader).
VISIBLE_ATTRIBUTES = {
    "alt",
    "aria-description",
    "aria-label",
    "aria-placeholder",
    "aria-roledescription",
    "aria-valuetext",
    "label",
    "placeholder",
    "title",
}
# `<input type="submit" value="Send">` shows its value; a `<button>`'s does not.
VALUE_SHOWN_BY_INPUT_TYPES = {"button", "reset", "submit"}
NOT_SHOWN_ELEMENTS = {"script", "style", "template"}
# Filters whose string argument can end up on the page.
SHOWN_FILTER_ARGUMENTS = {"default", "default_if_none", "pluralize", "yesno"}
# Block tags whose contents are translated (or never shown) as a whole.
SKIPPED_BLOCKS = {
    "blocktranslate": "endblocktranslate",
    "blocktrans": "endblocktrans",
    "comment": "endcomment",
}
LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Untranslated:
    line: int
    text: str


def _blank(text: str) -> str:
    """`text` as spaces, keeping its line breaks so line numbers stay right."""
    return re.sub(r"[^\n]", " ", text)


def _shown_constants(variable: str) -> list[str]:
    """String constants in a `{{ variable|filter:"arg" }}` that reach the page
    without being marked `_("...")`."""
    found = []
    for number, match in enumerate(filter_re.finditer(variable)):
        constant = match.group("constant") if number == 0 else match.group("constant_arg")
        if not constant or constant.startswith("_("):
            continue
        if number == 0 or match.group("filter_name") in SHOWN_FILTER_ARGUMENTS:
            found.append(constant[1:-1])
    return [text for text in found if LETTER.search(text)]


def _mask(source: str) -> tuple[str, list[Untranslated]]:
    """The template's markup with every tag, variable, comment and
    translated block blanked out; and the shown constants of its variables."""
    parts: list[str] = []
    constants: list[Untranslated] = []
    closing: str | None = None  # the end tag of the block being skipped
    for token in DebugLexer(source).tokenize():
        start, end = cast(tuple[int, int], token.position)  # the debug lexer sets it
        raw = source[start:end]
        if closing is not None:
            if token.token_type == TokenType.BLOCK and token.contents.split()[0] == closing:
                closing = None
            parts.append(_blank(raw))
            continue
        if token.token_type == TokenType.TEXT:
            parts.append(raw)
            continue
        if token.token_type == TokenType.BLOCK:
            closing = SKIPPED_BLOCKS.get(token.contents.split()[0] if token.contents else "")
        elif token.token_type == TokenType.VAR:
            line = token.lineno or 1
            constants += [Untranslated(line, text) for text in _shown_constants(token.contents)]
        parts.append(_blank(raw))
    return "".join(parts), constants


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[Untranslated] = []
        self.hidden = 0  # depth inside elements whose contents are not shown

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in NOT_SHOWN_ELEMENTS:
            self.hidden += 1
        values = dict(attrs)
        shown = set(VISIBLE_ATTRIBUTES)
        if tag == "input" and (values.get("type") or "").strip() in VALUE_SHOWN_BY_INPUT_TYPES:
            shown.add("value")
        line = self.getpos()[0]
        for name, value in attrs:
            if name in shown and value and LETTER.search(value):
                self.found.append(Untranslated(line, " ".join(value.split())))

    def handle_endtag(self, tag: str) -> None:
        if tag in NOT_SHOWN_ELEMENTS and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if self.hidden or not LETTER.search(data):
            return
        leading = data[: len(data) - len(data.lstrip())]
        self.found.append(
            Untranslated(self.getpos()[0] + leading.count("\n"), " ".join(data.split()))
        )


def untranslated_text(source: str, *, html: bool = True) -> list[Untranslated]:
    """Text people would read in a template that is not marked for translation,
    with its line number. `html=False` reads the template as plain text (an
    email body): then every line with a letter outside a tag counts."""
    masked, constants = _mask(source)
    if html:
        parser = _VisibleText()
        parser.feed(masked)
        parser.close()
        found = parser.found
    else:
        found = [
            Untranslated(number, " ".join(line.split()))
            for number, line in enumerate(masked.splitlines(), start=1)
            if LETTER.search(line)
        ]
    return sorted(found + constants, key=lambda item: item.line)


def template_files(root: Path) -> list[Path]:
    """Every template under `root`: files with a template suffix in a `templates` folder."""
    return sorted(
        path
        for path in root.rglob("*")
        if path.suffix in TEMPLATE_SUFFIXES and "templates" in path.relative_to(root).parts
    )


def untranslated_in_files(paths: list[Path], *, relative_to: Path | None = None) -> list[str]:
    """`path:line: text` for each piece of untranslated text in the files."""
    problems = []
    for path in paths:
        shown = path.relative_to(relative_to) if relative_to else path
        source = path.read_text(encoding="utf-8")
        for item in untranslated_text(source, html=path.suffix == ".html"):
            problems.append(f"{shown}:{item.line}: {item.text}")
    return problems


def main(argv: list[str]) -> int:
    package = Path(__file__).resolve().parent.parent
    paths = [Path(arg) for arg in argv] or template_files(package)
    problems = untranslated_in_files(paths)
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
