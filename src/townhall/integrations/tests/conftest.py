"""A council with a published street-problem service and one API key of each scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from townhall.catalogue.factories import branching_definition, service_create
from townhall.integrations.keys import api_key_create

POTHOLE = {"problem": "pothole", "depth": 12, "email": "ada@example.com"}


@dataclass
class ApiClient:
    """Django's test client sending one key, JSON in and out."""

    client: Client
    key: str

    def headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}", **(extra or {})}

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: str) -> Any:
        return self.client.get(f"/api/v1{path}", params or {}, headers=self.headers(headers))

    def post(self, path: str, body: Any, **headers: str) -> Any:
        return self.client.post(
            f"/api/v1{path}", body, content_type="application/json", headers=self.headers(headers)
        )


@pytest.fixture
def street(council):
    return service_create(organisation=council, definition=branching_definition())


@pytest.fixture
def key_for(council):
    def make(scope: str = "read", organisation: Any = None) -> str:
        return api_key_create(
            organisation=organisation or council, name=f"{scope} system", scope=scope
        ).key

    return make


@pytest.fixture
def reader(client, key_for) -> ApiClient:
    return ApiClient(client, key_for("read"))


@pytest.fixture
def writer(client, key_for) -> ApiClient:
    return ApiClient(client, key_for("write"))


@pytest.fixture
def admin(client, key_for) -> ApiClient:
    return ApiClient(client, key_for("admin"))


@pytest.fixture
def write_key(council) -> str:
    """A key with the write scope for Example Council's highways system."""
    return api_key_create(organisation=council, name="Highways system", scope="write").key


@pytest.fixture
def read_key(council) -> str:
    return api_key_create(organisation=council, name="Dashboard", scope="read").key
