"""Secrets a definition refers to by name (a webhook's signing secret, an
Open311 API key): they live in the `CONNECTOR_SECRETS` setting, never in a
definition, which is data councils export and share. A value may be given
encrypted (`townhall secret_encrypt`), so the environment does not hold it
in clear either."""

from __future__ import annotations

from django.conf import settings

from townhall.core.encryption import SecretUnreadable, secret_decrypt
from townhall.notifications.providers import DeliveryRefused


class SecretMissing(DeliveryRefused):
    """A definition names a secret that CONNECTOR_SECRETS does not hold."""


def connector_secret(name: str) -> str:
    """The secret called `name` ("" for no name). Raises SecretMissing."""
    if not name:
        return ""
    secrets: dict[str, str] = settings.CONNECTOR_SECRETS
    if name not in secrets:
        raise SecretMissing(name)
    try:
        return secret_decrypt(secrets[name])
    except SecretUnreadable:
        raise SecretMissing(f"{name} (cannot be decrypted)") from None
