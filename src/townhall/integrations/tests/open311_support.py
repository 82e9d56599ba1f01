"""Reading Open311 responses in tests as strictly as a client would: JSON
validated against the schemas written from the specification, XML parsed
with the standard library and compared element by element with the JSON."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from django.test import Client
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

SCHEMAS = Path(__file__).parents[1] / "open311" / "schemas"
# The element each list holds, as the specification's XML names it.
ITEMS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}


@cache
def _registry() -> Registry:
    resources = []
    for path in SCHEMAS.glob("*.json"):
        schema = json.loads(path.read_text())
        resources.append((schema["$id"], Resource.from_contents(schema)))
        resources.append((path.name, Resource.from_contents(schema)))
    return Registry().with_resources(resources)


def validate(name: str, data: Any) -> None:
    """Raise jsonschema's ValidationError unless `data` matches schemas/`name`."""
    schema = json.loads((SCHEMAS / name).read_text())
    validator = Draft202012Validator(schema, registry=_registry(), format_checker=FormatChecker())
    validator.validate(data)


def json_of(response: Any, schema: str) -> Any:
    assert response["Content-Type"].startswith("application/json")
    data = json.loads(response.content)
    validate(schema, data)
    return data


def xml_of(response: Any) -> ET.Element:
    """The document, parsed strictly (any malformation raises ParseError)."""
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)  # noqa: S314 (our own response, in a test)


def as_text(data: Any) -> Any:
    """JSON data as the XML writes it: every scalar as text, null as empty."""
    if isinstance(data, dict):
        return {key: as_text(value) for key, value in data.items()}
    if isinstance(data, list):
        return [as_text(value) for value in data]
    if data is None:
        return ""
    if isinstance(data, bool):
        return "true" if data else "false"
    return str(data)


def xml_data(element: ET.Element, *, list_tag: str | None = None) -> Any:
    """An element as data: a list where its children are the list's items."""
    children = list(element)
    item = ITEMS.get(element.tag)
    if list_tag is not None or (item is not None and all(c.tag == item for c in children)):
        return [xml_data(child) for child in children] if children else []
    if not children:
        return element.text or ""
    tags = [child.tag for child in children]
    assert len(tags) == len(set(tags)), f"repeated elements in <{element.tag}>"
    return {child.tag: xml_data(child) for child in children}


def both(client: Client, url: str, schema: str, **get: Any) -> Any:
    """GET `url` in JSON and XML: the JSON must match the schema and the XML
    must say exactly the same. Returns the JSON data."""
    response = client.get(f"{url}.json", get)
    data = json_of(response, schema)
    xml_response = client.get(f"{url}.xml", get)
    assert xml_response.status_code == response.status_code
    root = xml_of(xml_response)
    assert xml_data(root) == as_text(data)
    return data
