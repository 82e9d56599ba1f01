"""Staff see which languages a service version is written in, and what its
Welsh lacks; a version in several languages downloads and imports unchanged."""

from __future__ import annotations

import html
import re

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile

from townhall.catalogue.factories import service_create, welsh_definition

VERSION = "/staff/services/report-street-problem/versions/1/"


@pytest.fixture
def street(council):
    return service_create(organisation=council, definition=welsh_definition())


def text_of(response) -> str:
    assert response.status_code == 200
    return " ".join(html.unescape(response.content.decode()).split())


def test_the_preview_names_the_languages_and_counts_text_missing_in_welsh(staff_client, street):
    page = text_of(staff_client.get(VERSION))
    assert re.search(r"Languages</dt> <dd [^>]*> English, Welsh ", page)
    assert "13 texts are not in Welsh: English is shown instead" in page
    assert "<code>pages[0].questions[0].options[2].label</code>" in page  # "Other"
    assert "<code>name</code>" not in page


def test_a_version_in_english_only_offers_english(staff_client, fly_tipping):
    page = text_of(staff_client.get("/staff/services/report-fly-tipping/versions/1/"))
    assert re.search(r"Languages</dt> <dd [^>]*> English </dd>", page)
    assert "not in" not in page


def test_a_version_in_several_languages_downloads_and_imports_unchanged(manager_client, street):
    content = manager_client.get(f"{VERSION}export/").content
    assert yaml.safe_load(content) == welsh_definition()
    assert "cy: Ble mae e?" in content.decode()
    file = SimpleUploadedFile("street.yaml", content, content_type="application/yaml")
    response = manager_client.post("/staff/services/import/", {"file": file, "action": "publish"})
    assert response["Location"] == VERSION
    assert street.versions.count() == 1
