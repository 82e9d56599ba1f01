"""Third-party secrets kept in the database are encrypted at rest, read back
in clear by the code that uses them, readable after a key is rotated, and
rows saved in clear before encryption still work and are encrypted later."""

from __future__ import annotations

import io

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from townhall.connectors.secrets import SecretMissing, connector_secret
from townhall.core.encryption import SecretUnreadable, secret_decrypt, secret_encrypt
from townhall.notifications.models import NotifySettings
from townhall.notifications.services import notify_settings_save
from townhall.webhooks.models import Endpoint
from townhall.webhooks.services import endpoint_add
from townhall.webhooks.signing import signature, signature_valid

pytestmark = pytest.mark.django_db

API_KEY = "townhall_live-" + "1" * 36 + "-" + "2" * 36


def stored(model, pk, column):
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(column)} FROM {quote(model._meta.db_table)} WHERE id = %s",  # noqa: S608
            [pk],
        )
        return cursor.fetchone()[0]


def store_raw(model, pk, column, value):
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(model._meta.db_table)} SET {quote(column)} = %s WHERE id = %s",  # noqa: S608
            [value, pk],
        )


def notify_for(council):
    notify_settings_save(organisation=council, enabled=True, templates={}, api_key=API_KEY)
    return NotifySettings.objects.get(organisation=council)


def test_the_notify_api_key_is_stored_encrypted_and_read_in_clear(council):
    config = notify_for(council)

    raw = stored(NotifySettings, config.pk, "api_key")
    assert raw.startswith("fernet:") and API_KEY not in raw and "2222" not in raw
    assert NotifySettings.objects.get(pk=config.pk).api_key == API_KEY
    assert config.api_key_hint.endswith("2222") and API_KEY not in config.api_key_hint


def test_a_webhook_secret_is_stored_encrypted_and_still_signs(council):
    endpoint = endpoint_add(organisation=council, url="https://example.org/hooks")
    secret = endpoint.secret

    raw = stored(Endpoint, endpoint.pk, "secret")
    assert raw.startswith("fernet:") and secret not in raw
    again = Endpoint.objects.get(pk=endpoint.pk)
    header = signature(secret=again.secret, timestamp=1_700_000_000, body=b"{}")
    assert signature_valid(
        secret=secret, timestamp="1700000000", body=b"{}", header=header, now=1_700_000_000
    )


def test_a_secret_saved_in_clear_before_is_read_and_encrypted_on_the_next_save(council):
    config = notify_for(council)
    store_raw(NotifySettings, config.pk, "api_key", API_KEY)  # as a deployment had it

    config = NotifySettings.objects.get(pk=config.pk)
    assert config.api_key == API_KEY
    config.save()
    assert stored(NotifySettings, config.pk, "api_key").startswith("fernet:")
    assert NotifySettings.objects.get(pk=config.pk).api_key == API_KEY


def test_rotating_the_key_re_encrypts_everything_and_the_old_key_can_then_go(council, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    config = notify_for(council)
    endpoint = endpoint_add(organisation=council, url="https://example.org/hooks")
    secret = endpoint.secret
    legacy = endpoint_add(organisation=council, url="https://example.org/other")
    store_raw(Endpoint, legacy.pk, "secret", "whsec_in_clear")

    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    assert NotifySettings.objects.get(pk=config.pk).api_key == API_KEY  # the old key still reads
    out = io.StringIO()
    call_command("secrets_rotate", dry_run=True, stdout=out)
    assert "3 rows checked, 3 would be re-encrypted" in out.getvalue()
    assert stored(Endpoint, legacy.pk, "secret") == "whsec_in_clear"
    call_command("secrets_rotate", stdout=out)
    assert "3 rows checked, 3 re-encrypted" in out.getvalue()

    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert NotifySettings.objects.get(pk=config.pk).api_key == API_KEY
    assert Endpoint.objects.get(pk=endpoint.pk).secret == secret
    assert Endpoint.objects.get(pk=legacy.pk).secret == "whsec_in_clear"
    out = io.StringIO()
    call_command("secrets_rotate", stdout=out)
    assert "3 rows checked, 0 re-encrypted" in out.getvalue()


def test_a_row_no_key_reads_is_named_not_lost(council, settings):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    config = notify_for(council)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(CommandError, match=f"notifications.NotifySettings {config.pk}"):
        call_command("secrets_rotate", stdout=io.StringIO())
    assert stored(NotifySettings, config.pk, "api_key").startswith("fernet:")
    with pytest.raises(SecretUnreadable):
        NotifySettings.objects.get(pk=config.pk)


def test_a_key_that_is_not_a_fernet_key_is_refused_clearly(settings):
    settings.FIELD_ENCRYPTION_KEYS = ["not-a-key"]
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS must be Fernet keys"):
        secret_encrypt("x")


def test_without_keys_one_derived_from_secret_key_is_used(settings):
    settings.FIELD_ENCRYPTION_KEYS = []
    token = secret_encrypt("s3cret")
    assert secret_decrypt(token) == "s3cret"
    settings.SECRET_KEY = "another-secret-key"
    with pytest.raises(SecretUnreadable):
        secret_decrypt(token)


def test_a_connector_secret_may_be_given_encrypted(settings, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("the-api-key\n"))
    out = io.StringIO()
    call_command("secret_encrypt", stdout=out)
    token = out.getvalue().strip()
    assert token.startswith("fernet:") and "the-api-key" not in token
    settings.CONNECTOR_SECRETS = {"upstream": token, "plain": "in-clear"}

    assert connector_secret("upstream", council="example") == "the-api-key"
    assert connector_secret("plain", council="example") == "in-clear"
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(SecretMissing, match="cannot be decrypted"):
        connector_secret("upstream", council="example")


def test_a_council_reaches_its_own_connector_secrets_and_never_another_councils(settings):
    settings.CONNECTOR_SECRETS = {
        "county/highways": "the-county-key",
        "district/highways": "the-district-key",
        "shared": "the-installation-key",
    }

    assert connector_secret("highways", council="county") == "the-county-key"
    assert connector_secret("highways", council="district") == "the-district-key"
    assert connector_secret("shared", council="county") == "the-installation-key"
    with pytest.raises(SecretMissing):
        connector_secret("highways", council="another")
    with pytest.raises(SecretMissing, match="its own council's secrets only"):
        connector_secret("district/highways", council="county")


def test_moving_from_the_derived_key_to_your_own(council, settings):
    settings.FIELD_ENCRYPTION_KEYS = []
    config = notify_for(council)
    out = io.StringIO()
    call_command("secrets_rotate", derived_key=True, stdout=out)
    derived = out.getvalue().strip()
    yours = Fernet.generate_key().decode()

    settings.FIELD_ENCRYPTION_KEYS = [yours, derived]
    call_command("secrets_rotate", stdout=io.StringIO())
    settings.FIELD_ENCRYPTION_KEYS = [yours]
    assert NotifySettings.objects.get(pk=config.pk).api_key == API_KEY
