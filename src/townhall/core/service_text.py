"""Text that councils write for residents (start pages, "what happens next",
exit pages) in a small, safe subset of Markdown, shown with GOV.UK Frontend's
typography in pages and as plain text in emails.

The subset: paragraphs, bulleted and numbered lists, links, headings (`#` is
shown as a second-level heading, since the page has its own first), bold, and
two GOV.UK components: a quote (`> ...`) is inset text, and a paragraph that
starts with `! ` is warning text. Raw HTML is never passed through (markdown-it
with `html` off escapes it), images are not rendered, and links may only go to
http(s), mailto and tel addresses."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt
from markdown_it.token import Token

WARNING_MARK = "! "
SAFE_SCHEMES = ("http://", "https://", "mailto:", "tel:")
HEADING_CLASSES = {"h2": "govuk-heading-m", "h3": "govuk-heading-s", "h4": "govuk-heading-s"}


@cache
def _parser() -> MarkdownIt:
    parser = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False})
    parser.enable(["heading", "list", "link", "emphasis", "blockquote", "newline", "autolink"])
    parser.validateLink = _safe_link  # type: ignore[method-assign]
    return parser


def _safe_link(url: str) -> bool:
    return url.lower().startswith(SAFE_SCHEMES)


def _tokens(text: str) -> list[Token]:
    tokens = _parser().parse(text or "")
    for token in tokens:
        if token.type == "heading_open" or token.type == "heading_close":
            # `#` is the page's second level: the page's own heading is the first.
            level = min(int(token.tag[1]) + 1, 4)
            token.tag = f"h{level}"
    return tokens


def render_html(text: str) -> SafeString:
    """Service text as HTML with GOV.UK Frontend's classes. Safe to show: every
    character the author wrote is escaped."""
    tokens = _tokens(text)
    parts: list[str] = []
    in_quote = 0
    for index, token in enumerate(tokens):
        parts.append(_html_token(tokens, index, token, in_quote))
        if token.type == "blockquote_open":
            in_quote += 1
        elif token.type == "blockquote_close":
            in_quote -= 1
    return mark_safe("".join(parts))  # noqa: S308  # built from escaped text only


def _html_token(tokens: list[Token], index: int, token: Token, in_quote: int) -> str:
    kind = token.type
    if kind == "paragraph_open":
        if token.hidden:
            return ""
        if _is_warning(tokens, index):
            return (
                '<div class="govuk-warning-text"><span class="govuk-warning-text__icon"'
                ' aria-hidden="true">!</span><strong class="govuk-warning-text__text">'
                f'<span class="govuk-visually-hidden">{escape(_("Warning"))}</span> '
            )
        return "<p>" if in_quote else '<p class="govuk-body">'
    if kind == "paragraph_close":
        if token.hidden:
            return ""
        if _is_warning(tokens, index - 2):
            return "</strong></div>"
        return "</p>"
    if kind == "inline":
        return _inline(token.children or [], warning=_is_warning(tokens, index - 1))
    if kind == "heading_open":
        return f'<{token.tag} class="{HEADING_CLASSES[token.tag]}">'
    if kind == "heading_close":
        return f"</{token.tag}>"
    if kind == "bullet_list_open":
        return '<ul class="govuk-list govuk-list--bullet">'
    if kind == "ordered_list_open":
        return '<ol class="govuk-list govuk-list--number">'
    if kind in ("bullet_list_close", "ordered_list_close"):
        return "</ul>" if kind == "bullet_list_close" else "</ol>"
    if kind == "list_item_open":
        return "<li>"
    if kind == "list_item_close":
        return "</li>"
    if kind == "blockquote_open":
        return '<div class="govuk-inset-text">'
    if kind == "blockquote_close":
        return "</div>"
    return ""


def _is_warning(tokens: list[Token], index: int) -> bool:
    """Whether tokens[index] opens a paragraph that starts with the warning mark."""
    if index < 0 or index + 1 >= len(tokens) or tokens[index].type != "paragraph_open":
        return False
    return (tokens[index + 1].content or "").startswith(WARNING_MARK)


def _inline(children: list[Token], *, warning: bool = False) -> str:
    out: list[str] = []
    for position, child in enumerate(children):
        kind = child.type
        if kind == "text":
            content = child.content
            if warning and position == 0:
                content = content.removeprefix(WARNING_MARK)
            out.append(escape(content))
        elif kind == "link_open":
            href: Any = child.attrGet("href") or ""
            out.append(f'<a class="govuk-link" href="{escape(href)}">')
        elif kind == "link_close":
            out.append("</a>")
        elif kind == "strong_open":
            out.append("<strong>")
        elif kind == "strong_close":
            out.append("</strong>")
        elif kind in ("em_open", "em_close"):
            continue  # italics are hard to read: GOV.UK does not use them
        elif kind in ("softbreak", "hardbreak"):
            out.append("<br>" if kind == "hardbreak" else "\n")
        else:
            out.append(escape(child.content))
    return "".join(out)


def render_text(text: str) -> str:
    """Service text as plain text, for emails: no Markdown marks, a link as its
    words followed by its address, list items on lines of their own."""
    lines: list[str] = []
    numbers: list[int | None] = []
    for token in _tokens(text):
        kind = token.type
        if kind == "bullet_list_open":
            numbers.append(None)
        elif kind == "ordered_list_open":
            numbers.append(int(token.attrGet("start") or 1))
        elif kind in ("bullet_list_close", "ordered_list_close"):
            numbers.pop()
            lines.append("")
        elif kind == "inline":
            words = _plain_inline(token.children or []).removeprefix(WARNING_MARK)
            if numbers:
                number = numbers[-1]
                marker = "-" if number is None else f"{number}."
                if number is not None:
                    numbers[-1] = number + 1
                lines.append(f"{marker} {words}")
            else:
                lines.append(words)
                lines.append("")
    plain = "\n".join(lines).strip()
    return plain + "\n" if plain and (text or "").endswith("\n") else plain


def _plain_inline(children: list[Token]) -> str:
    out: list[str] = []
    href = ""
    for child in children:
        if child.type == "link_open":
            href = str(child.attrGet("href") or "")
        elif child.type == "link_close":
            words = out[-1] if out else ""
            if href and href.removeprefix("mailto:") != words:
                out.append(f" ({href.removeprefix('mailto:')})")
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif child.type == "text" or child.content:
            out.append(child.content)
    return "".join(out)
