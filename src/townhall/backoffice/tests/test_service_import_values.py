"""The staff import page refuses a file holding values no definition can hold
(dates that do not exist, numbers of thousands of digits, a lone surrogate) with
the page and its error summary naming each by its path: never a server error,
and nothing saved."""

from __future__ import annotations

import html
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from townhall.catalogue.factories import branching_definition
from townhall.catalogue.models import Service, ServiceVersion
from townhall.catalogue.transfer import definition_dump

MIN = "pages[1].questions[0].min"
WHOLE_TOO_LARGE = (
    "number too large: a whole number must be between -9007199254740991 and 9007199254740991"
)
SURROGATE = "contains a character that is not valid text (a lone surrogate)"
DATE = "a date cannot be stored; put it in quotes"
YAML_FIELDS = {"name": "name: Report a street problem", "min": "min: 0"}
JSON_FIELDS = {"name": '"name": "Report a street problem"', "min": '"min": 0'}
# The file's name, the field, the value as written there, and the problem named.
LISTED = {
    "date-that-does-not-exist": ("s.yaml", "name", "2026-02-30", f"name: {DATE}"),
    "year-zero": ("s.yaml", "name", "0000-01-01", f"name: {DATE}"),
    "5000-digits": ("s.yaml", "min", "1" + "0" * 4999, f"{MIN}: {WHOLE_TOO_LARGE}"),
    "json-5000-digits": ("s.json", "min", "1" + "0" * 4999, f"{MIN}: {WHOLE_TOO_LARGE}"),
    "20000-binary-ones": ("s.yaml", "min", "0b" + "1" * 20_000, f"{MIN}: {WHOLE_TOO_LARGE}"),
    "5000-hex-fs": ("s.yaml", "min", "0x" + "f" * 5000, f"{MIN}: {WHOLE_TOO_LARGE}"),
    "lone-surrogate": ("s.yaml", "name", '"\\ud88d"', f"name: {SURROGATE}"),
    "json-lone-surrogate": ("s.json", "name", '"\\ud88d"', f"name: {SURROGATE}"),
    "date-and-bad-tag": ("s.yaml", "min", "!!int x", f"{MIN}: 'x' is not a whole number"),
}


def content_with(name: str, field: str, written: str) -> bytes:
    """The branching definition as the file `name`, with `field` written as given."""
    if name.endswith(".json"):
        text, old = json.dumps(branching_definition()), JSON_FIELDS[field]
        new = f'"{field}": {written}'
    else:
        text, old = definition_dump(branching_definition()), YAML_FIELDS[field]
        new = f"{field}: {written}"
    assert old in text
    return text.replace(old, new, 1).encode()


def post(client, name: str, content: bytes):
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post("/staff/services/import/", {"file": upload, "action": "publish"})


@pytest.mark.parametrize(("name", "field", "written", "problem"), LISTED.values(), ids=LISTED)
def test_each_listed_value_is_named_on_the_page_and_nothing_is_saved(
    manager_client, council, name, field, written, problem
):
    response = post(manager_client, name, content_with(name, field, written))
    body = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert "<title>Error: Import a service" in body
    summary = body.split('govuk-error-summary__list">')[1].split("</ul>")[0]
    assert f'<a href="#id_file">{problem}</a>' in summary
    assert not Service.objects.exists()
    assert not ServiceVersion.objects.exists()


def test_a_file_with_several_such_values_names_each(manager_client, council):
    text = definition_dump(branching_definition())
    text = text.replace("name: Report a street problem", 'name: "\\udc00"')
    text = text.replace("min: 0", "min: 0x" + "f" * 5000)
    text += "2026-02-30: x\n"
    body = html.unescape(post(manager_client, "s.yaml", text.encode()).content.decode())
    assert "The file has 3 problems:" in body
    for problem in [
        f"name: {SURROGATE}",
        f"{MIN}: {WHOLE_TOO_LARGE}",
        "(definition): the key 2026-02-30 must be text; put it in quotes",
    ]:
        assert f'<a href="#id_file">{problem}</a>' in body
    assert not ServiceVersion.objects.exists()


@pytest.mark.parametrize(
    "content",
    [
        b'name: "\\U00110000"',
        b"name: !!set [a]",
        b"a0: &a0 {k: 1}\n"
        + b"".join(
            f"a{i}: &a{i} {{<<: [{', '.join([f'*a{i - 1}'] * 10)}]}}\n".encode()
            for i in range(1, 9)
        ),
    ],
    ids=["beyond-unicode", "set-of-a-list", "merge-bomb"],
)
def test_yaml_no_reader_can_read_is_explained(manager_client, council, content):
    response = post(manager_client, "s.yaml", content)
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not ServiceVersion.objects.exists()


def test_an_upload_whose_name_is_not_utf8_is_explained(manager_client, council):
    body = (
        b'--B\r\nContent-Disposition: form-data; name="action"\r\n\r\npublish\r\n'
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="\xed\xa0\x80.yaml"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n"
        + content_with("s.yaml", "name", '"\\ud88d"')
        + b"\r\n--B--\r\n"
    )
    response = manager_client.generic(
        "POST", "/staff/services/import/", body, content_type="multipart/form-data; boundary=B"
    )
    assert response.status_code == 400
    # Django's parser skips a part's header that is not UTF-8: the file is missing.
    assert '<a href="#id_file">Select a service definition file</a>' in response.content.decode()
    assert not ServiceVersion.objects.exists()
