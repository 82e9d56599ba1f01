"""API keys: shown once, stored hashed, scoped, tied to one council, revocable."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from townhall.integrations.keys import (
    api_key_authenticate,
    api_key_create,
    api_key_rate_allows,
    api_key_revoke,
    scope_allows,
)
from townhall.integrations.models import ApiKey


def test_a_key_is_stored_only_as_a_hash(council):
    new = api_key_create(organisation=council, name="Highways", scope="write")
    row = ApiKey.objects.get()
    assert new.key.startswith(f"th_{row.prefix}_")
    assert row.key_hash == hashlib.sha256(new.key.encode()).hexdigest()
    assert new.key not in {row.prefix, row.key_hash, row.name}
    assert (row.organisation, row.scope, row.name) == (council, "write", "Highways")


def test_the_key_authenticates_and_records_its_use(council):
    new = api_key_create(organisation=council, name="Highways")
    found = api_key_authenticate(new.key)
    assert found == new.api_key
    assert found.organisation == council
    assert ApiKey.objects.get().last_used_at is not None


def test_use_is_written_at_most_once_a_minute(council, django_assert_num_queries):
    new = api_key_create(organisation=council, name="Highways")
    api_key_authenticate(new.key)
    with django_assert_num_queries(1):  # the lookup, no write
        api_key_authenticate(new.key)
    ApiKey.objects.update(last_used_at=timezone.now() - timedelta(minutes=5))
    with django_assert_num_queries(2):
        api_key_authenticate(new.key)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda k: "",
        lambda k: "nonsense",
        lambda k: k[:-1] + ("A" if k[-1] != "A" else "B"),  # right prefix, wrong secret
        lambda k: k.replace("th_", "xx_"),
        lambda k: k + "\x00",
        lambda k: "th_" + "0" * 12 + k[15:],  # unknown prefix
    ],
)
def test_anything_but_the_key_is_refused(council, mangle):
    new = api_key_create(organisation=council, name="Highways")
    assert api_key_authenticate(mangle(new.key)) is None


def test_a_revoked_key_stops_working(council):
    new = api_key_create(organisation=council, name="Highways")
    api_key_revoke(api_key=new.api_key)
    assert api_key_authenticate(new.key) is None
    first = ApiKey.objects.get().revoked_at
    api_key_revoke(api_key=new.api_key)  # revoking again changes nothing
    assert ApiKey.objects.get().revoked_at == first


def test_scopes_include_the_ones_below():
    assert scope_allows("admin", "write") and scope_allows("admin", "read")
    assert scope_allows("write", "read") and scope_allows("write", "write")
    assert not scope_allows("read", "write")
    assert not scope_allows("write", "admin")


@pytest.mark.parametrize(("name", "scope"), [("   ", "read"), ("Highways", "root")])
def test_a_bad_name_or_scope_is_refused(council, name, scope):
    with pytest.raises(ValueError):  # noqa: PT011
        api_key_create(organisation=council, name=name, scope=scope)
    assert not ApiKey.objects.exists()


def test_requests_are_limited_per_key(council, settings):
    settings.API_RATE_LIMIT = 3
    one = api_key_create(organisation=council, name="One").api_key
    two = api_key_create(organisation=council, name="Two").api_key
    assert [api_key_rate_allows(one) for _ in range(4)] == [True, True, True, False]
    assert api_key_rate_allows(two)  # another key has its own count


def test_the_command_prints_the_key_once_on_its_own_line(council, capsys):
    call_command(
        "api_key_create", "--organisation", council.slug, "--name", "Waste", "--scope", "write"
    )
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert len(lines) == 1
    key = api_key_authenticate(lines[0])
    assert key is not None
    assert (key.name, key.scope, key.organisation) == ("Waste", "write", council)
    assert lines[0] not in err
    assert key.prefix in err


def test_the_command_names_what_is_wrong(council):
    with pytest.raises(CommandError, match="No council has the slug 'nowhere'"):
        call_command("api_key_create", "--organisation", "nowhere", "--name", "Waste")
    with pytest.raises(CommandError, match="Give the key a name"):
        call_command("api_key_create", "--organisation", council.slug, "--name", " ")
    assert not ApiKey.objects.exists()
