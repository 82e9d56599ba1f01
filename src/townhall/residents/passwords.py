"""Residents' passwords, as the NCSC advises: length first (at least
MIN_LENGTH characters, no rules about which kinds of character), checked
against a list of common passwords and against the person's own email
address (see docs/decisions/0052)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation

from townhall.accounts.models import User

MIN_LENGTH = 12

VALIDATORS: list[dict[str, Any]] = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]


def password_check(password: str, user: User | None = None) -> None:
    """Raise ValidationError, with every reason, unless `password` will do."""
    password_validation.validate_password(
        password, user, password_validators=password_validation.get_password_validators(VALIDATORS)
    )
