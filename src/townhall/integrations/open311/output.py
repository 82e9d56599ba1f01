"""Writing Open311 responses: the same data as JSON or as XML, and errors as
the specification gives them (a JSON array of {code, description}, or
<errors><error><code/><description/></error></errors>)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any
from xml.etree import ElementTree as ET

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


def respond(fmt: str, data: Any, *, root: str, item: str, status: int = 200) -> HttpResponse:
    """`data` (a list of mappings, or one mapping) as JSON, or as XML under
    <root> with each list element as <item>."""
    if fmt == "xml":
        element = ET.Element(root)
        _fill(element, data, item)
        body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="utf-8")
    else:
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def error_response(fmt: str, error: Open311Error) -> HttpResponse:
    errors = [{"code": code, "description": text} for code, text in error.errors]
    return respond(fmt, errors, root="errors", item="error", status=error.status)


# Lists whose elements are not named by the list's name in the spec's XML.
_XML_ITEM = {"attributes": "attribute", "values": "value", "endpoints": "endpoint"}


def _fill(element: ET.Element, data: Any, item: str) -> None:
    if isinstance(data, Mapping):
        for key, value in data.items():
            if value is None:
                ET.SubElement(element, key)
            elif isinstance(value, list) and key == "formats":
                child = ET.SubElement(element, key)
                for fmt in value:
                    ET.SubElement(child, "format").text = str(fmt)
            elif isinstance(value, list) and key == "keywords":
                ET.SubElement(element, key).text = ",".join(str(v) for v in value)
            elif isinstance(value, list | Mapping):
                child = ET.SubElement(element, key)
                _fill(child, value, _XML_ITEM.get(str(key), str(key)))
            else:
                ET.SubElement(element, key).text = _text(value)
    elif isinstance(data, Sequence) and not isinstance(data, str):
        for value in data:
            child = ET.SubElement(element, item)
            if isinstance(value, Mapping | list):
                _fill(child, value, item)
            else:
                child.text = _text(value)
    else:
        element.text = _text(data)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
