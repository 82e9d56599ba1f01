"""Organisation admins make, see and revoke their council's API keys."""

from __future__ import annotations

import html

import pytest

from townhall.integrations.keys import api_key_authenticate, api_key_create
from townhall.integrations.models import ApiKey
from townhall.tenancy.factories import MembershipFactory


@pytest.fixture
def admin_client(client, council):
    admin = MembershipFactory(
        organisation=council, role="organisation_admin", user__password="!"
    ).user
    client.force_login(admin)
    return client


def test_an_admin_makes_a_key_and_sees_it_once(admin_client, council):
    response = admin_client.post("/staff/api-keys/new/", {"name": "Highways", "scope": "write"})
    assert response.status_code == 200
    body = html.unescape(response.content.decode())
    key = body.split('id="api-key">', 1)[1].split("<", 1)[0]
    found = api_key_authenticate(key)
    assert found is not None
    assert (found.organisation, found.scope) == (council, "write")
    assert (
        response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]
    )
    listing = admin_client.get("/staff/api-keys/").content.decode()
    assert "Highways" in listing
    assert key not in listing


def test_a_missing_name_is_named(admin_client):
    response = admin_client.post("/staff/api-keys/new/", {"name": "", "scope": "write"})
    assert "Enter a name for the key" in html.unescape(response.content.decode())
    assert not ApiKey.objects.exists()


def test_an_admin_revokes_a_key(admin_client, council):
    new = api_key_create(organisation=council, name="Highways")
    response = admin_client.post(f"/staff/api-keys/{new.api_key.pk}/revoke/")
    assert response.status_code == 302
    assert api_key_authenticate(new.key) is None


def test_another_councils_key_cannot_be_revoked(admin_client, other_council):
    theirs = api_key_create(organisation=other_council, name="Theirs")
    response = admin_client.post(f"/staff/api-keys/{theirs.api_key.pk}/revoke/")
    assert response.status_code == 404
    assert api_key_authenticate(theirs.key) is not None
    assert "Theirs" not in admin_client.get("/staff/api-keys/").content.decode()
