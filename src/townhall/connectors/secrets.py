"""Secrets a definition refers to by name (a webhook's signing secret, an
Open311 API key): they live in the `CONNECTOR_SECRETS` setting, never in a
definition, which is data councils export and share. A value may be given
encrypted (`townhall secret_encrypt`), so the environment does not hold it
in clear either.

On an installation shared by several councils, each council's secrets are
named with its slug in front ("county/highways"); a definition names only
"highways" and reaches its own council's. A name without a council in front
is the installation's, shared by every council on it. A definition cannot
name another council's secret: a name with "/" in it is refused."""

from __future__ import annotations

from django.conf import settings

from townhall.core.encryption import SecretUnreadable, secret_decrypt
from townhall.notifications.providers import DeliveryRefused


class SecretMissing(DeliveryRefused):
    """A definition names a secret that CONNECTOR_SECRETS does not hold."""


def connector_secret(name: str, *, council: str) -> str:
    """The secret called `name` for the council whose slug is `council`: its
    own ("council/name"), or else the installation's ("name"); "" for no
    name. Raises SecretMissing, also for a name that reaches across councils."""
    if not name:
        return ""
    if "/" in name:
        raise SecretMissing(f"{name} (a definition names its own council's secrets only)")
    secrets: dict[str, str] = settings.CONNECTOR_SECRETS
    key = f"{council}/{name}" if f"{council}/{name}" in secrets else name
    if key not in secrets:
        raise SecretMissing(name)
    try:
        return secret_decrypt(secrets[key])
    except SecretUnreadable:
        raise SecretMissing(f"{name} (cannot be decrypted)") from None
