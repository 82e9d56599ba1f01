"""Open311's XML is written as text; it must be byte for byte what
ElementTree writes for the same tree (how it was written before), whatever
the data: empty elements, escaping, characters UTF-8 cannot hold."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from xml.etree import ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from townhall.integrations.open311.output import XML_ITEM, respond

DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'


def element_tree(root: str, data: Any, item: str) -> bytes:
    """The same document built as an ElementTree and serialised by it."""
    element = ET.Element(root)
    _fill(element, data, item)
    return DECLARATION + ET.tostring(element, encoding="utf-8")


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
                _fill(ET.SubElement(element, key), value, XML_ITEM.get(key) or key)
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


KEYS = st.sampled_from(
    ["request", "status", "formats", "keywords", "attributes", "values", "endpoints", "lat"]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    # Any character, lone surrogates and the XML-special ones included.
    st.text(alphabet=st.characters(blacklist_categories=())),
    st.sampled_from(["", "&", "<b>", "a > b & c", "Caf\u00e9 \u2013 \U0001f600"]),
)
DATA = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None)
@given(data=DATA, item=st.sampled_from(["request", "error"]))
def test_the_xml_is_what_element_tree_writes(data, item):
    response = respond("xml", data, root="service_requests", item=item)

    assert response.content == element_tree("service_requests", data, item)


def test_a_page_of_requests_is_what_element_tree_writes():
    page = [
        {
            "service_request_id": "EXA-1",
            "status": "open",
            "description": "Sofa & <two> mattresses",
            "service_notice": "",
            "expected_datetime": None,
            "lat": 51.5,
            "extended_attributes": {"external_status": "OPEN", "status_label": "Received"},
        }
    ] * 3

    response = respond("xml", page, root="service_requests", item="request")

    assert response.content == element_tree("service_requests", page, "request")
    assert b"<description>Sofa &amp; &lt;two&gt; mattresses</description>" in response.content
    assert b"<service_notice /><expected_datetime />" in response.content
