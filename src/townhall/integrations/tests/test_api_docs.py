"""The OpenAPI schema and the readable docs, served from Townhall itself (no
CDN) under the site's Content Security Policy."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders

from townhall.testing.browser import browser, council_site, new_page  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_schema_is_openapi_3_and_public(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/cases", "/api/v1/cases/{reference}/transitions", "/api/v1/areas"} <= set(
        schema["paths"]
    )
    assert set(schema["components"]["securitySchemes"]) == {"BearerKey", "HeaderKey"}


def test_the_docs_page_uses_only_local_files_under_the_csp(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert not re.search(r"(src|href)=[\"']https?://", html), "nothing may come from elsewhere"
    assets = re.findall(r"(?:src|href)=[\"']/static/([^\"']+)", html)
    assert {"ninja/swagger-ui-bundle.js", "ninja/swagger-ui.css"} <= set(assets)
    assert all(finders.find(asset) for asset in assets)
    # No inline script runs: the settings are JSON data read by a local file.
    assert not re.search(r"<script>(?!\s*</script>)", html)


@pytest.mark.browser
def test_the_docs_render_in_a_browser_without_csp_violations(new_page):  # noqa: F811
    page = new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto("/api/v1/docs")
    page.get_by_text("Townhall REST API").first.wait_for()
    page.get_by_text("/api/v1/cases/{reference}/transitions").first.wait_for()
    assert not [p for p in problems if "Content Security Policy" in p], problems
