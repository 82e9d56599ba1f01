"""Writing Open311 responses: the same data as JSON or as XML, and errors as
the specification gives them (a JSON array of {code, description}, or
<errors><error><code/><description/></error></errors>)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

FORMATS = ("json", "xml")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}


class Open311Error(Exception):
    """A request Open311 answers with an error document: `status` is the HTTP
    status (400, 403, 404, 429), `errors` each problem as (code, description)."""

    def __init__(self, status: int, *errors: tuple[int | str, str]) -> None:
        self.status = status
        self.errors = list(errors) or [(status, "Error")]
        super().__init__(self.errors[0][1])


def w3c(moment: datetime | None, zone: tzinfo | None = None) -> str | None:
    """A time as Open311 writes it: W3C (ISO 8601) with its offset, to the
    second, in `zone` (by default the current time zone)."""
    if moment is None:
        return None
    return timezone.localtime(moment, zone).replace(microsecond=0).isoformat()


def w3c_seconds(seconds: int | None, zone: tzinfo) -> str | None:
    """`w3c` of a time read as whole seconds since 1970 (ADR 72), in `zone`."""
    return None if seconds is None else datetime.fromtimestamp(seconds, zone).isoformat()


def respond(fmt: str, data: Any, *, root: str, item: str, status: int = 200) -> HttpResponse:
    """`data` (a list of mappings, or one mapping) as JSON, or as XML under
    <root> with each list element as <item>."""
    if fmt == "xml":
        parts = ['<?xml version="1.0" encoding="utf-8"?>\n']
        _element(parts, root, data, item)
        body = "".join(parts).encode("utf-8", "xmlcharrefreplace")
    else:
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def error_response(fmt: str, error: Open311Error) -> HttpResponse:
    errors = [{"code": code, "description": text} for code, text in error.errors]
    return respond(fmt, errors, root="errors", item="error", status=error.status)


# Lists whose elements are not named by the list's name in the spec's XML.
XML_ITEM = {"attributes": "attribute", "values": "value", "endpoints": "endpoint"}

# The XML is written as text, exactly as ElementTree would write the same tree
# (`<tag />` when empty, text escaped the same way, characters UTF-8 cannot
# hold as references), at a fraction of its cost for a page of requests.


def _element(out: list[str], tag: str, data: Any, item: str) -> None:
    """<tag> holding `data`, appended to `out`."""
    inner: list[str] = []
    _content(inner, data, item)
    _wrap(out, tag, inner)


def _leaf(out: list[str], tag: str, text: str) -> None:
    if text:
        out.append(f"<{tag}>{_escape(text)}</{tag}>")
    else:
        out.append(f"<{tag} />")


def _content(out: list[str], data: Any, item: str) -> None:
    if isinstance(data, Mapping):
        for key, value in data.items():
            if value is None:
                out.append(f"<{key} />")
            elif isinstance(value, list) and key == "formats":
                formats: list[str] = []
                for fmt in value:
                    _leaf(formats, "format", str(fmt))
                _wrap(out, key, formats)
            elif isinstance(value, list) and key == "keywords":
                _leaf(out, key, ",".join(str(v) for v in value))
            elif isinstance(value, list | Mapping):
                _element(out, key, value, XML_ITEM.get(str(key), str(key)))
            else:
                _leaf(out, key, _text(value))
    elif isinstance(data, Sequence) and not isinstance(data, str):
        for value in data:
            if isinstance(value, Mapping | list):
                _element(out, item, value, item)
            else:
                _leaf(out, item, _text(value))
    else:
        text = _text(data)
        if text:
            out.append(_escape(text))


def _wrap(out: list[str], tag: str, inner: list[str]) -> None:
    if inner:
        out.append(f"<{tag}>")
        out.extend(inner)
        out.append(f"</{tag}>")
    else:
        out.append(f"<{tag} />")


def _escape(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
