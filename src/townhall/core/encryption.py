"""Secrets kept in the database, encrypted at rest (see docs/decisions/0059).

A third party's secret Townhall must use again in full (a council's GOV.UK
Notify API key, a webhook endpoint's signing secret) is stored as a Fernet
token made with the newest key of `FIELD_ENCRYPTION_KEYS`; any key of the list
reads it, so a new key can be put first and the old ones kept until
`townhall secrets_rotate` has written every row again with the new one.

A stored value without the `fernet:` prefix is one saved before encryption:
it is read as it is and encrypted the next time its row is saved (or by
`secrets_rotate`)."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "fernet:"


class SecretUnreadable(Exception):
    """A stored secret was encrypted with a key FIELD_ENCRYPTION_KEYS no longer holds."""


def derived_key(secret_key: str) -> str:
    """A Fernet key made from SECRET_KEY, for installations that set no key."""
    digest = hashlib.sha256(b"townhall.field-encryption:" + secret_key.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")


def encryption_keys() -> tuple[str, ...]:
    """The keys in use, newest first."""
    keys = tuple(getattr(settings, "FIELD_ENCRYPTION_KEYS", ()) or ())
    return keys or (derived_key(settings.SECRET_KEY),)


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode("ascii")) for key in keys])
    except (ValueError, UnicodeEncodeError) as error:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be Fernet keys (32 bytes, url-safe base64), "
            "separated by commas"
        ) from error


def fernet() -> MultiFernet:
    return _fernet(encryption_keys())


def secret_encrypt(value: str) -> str:
    """`value` encrypted with the newest key ("" stays "")."""
    if not value:
        return ""
    return PREFIX + fernet().encrypt(value.encode("utf-8")).decode("ascii")


def secret_decrypt(stored: str) -> str:
    """The secret `stored` holds: decrypted, or as it is when it was saved in
    clear before encryption. Raises SecretUnreadable."""
    if not stored.startswith(PREFIX):
        return stored
    try:
        return fernet().decrypt(stored[len(PREFIX) :].encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError):
        raise SecretUnreadable(
            "a stored secret cannot be decrypted with FIELD_ENCRYPTION_KEYS"
        ) from None


def secret_is_current(stored: str) -> bool:
    """True when `stored` is empty or encrypted with the newest key."""
    if not stored:
        return True
    if not stored.startswith(PREFIX):
        return False
    newest = _fernet(encryption_keys()[:1])
    try:
        newest.decrypt(stored[len(PREFIX) :].encode("ascii"))
    except InvalidToken:
        return False
    return True


def secret_hint(value: str) -> str:
    """What staff may see of a secret: its last four characters."""
    return f"…{value[-4:]}" if len(value) > 8 else ("…" if value else "")


class EncryptedTextField(models.TextField):
    """Text encrypted on save and decrypted on read. The value in Python is
    the secret in clear; the column holds the token. It cannot be searched or
    filtered by value (each encryption differs)."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return value
        return secret_decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return secret_encrypt(str(value))


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    """Every model with encrypted fields, and their names."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found
