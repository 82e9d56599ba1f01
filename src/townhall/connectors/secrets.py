"""Secrets a definition refers to by name (a webhook's signing secret, an
Open311 API key): they live in the `CONNECTOR_SECRETS` setting, never in a
definition, which is data councils export and share."""

from __future__ import annotations

from django.conf import settings

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
    return secrets[name]
