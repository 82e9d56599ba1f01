"""Form fields every front end asks the same way, with GOV.UK's messages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

EMAIL_ERRORS = {
    "required": _("Enter your email address"),
    "invalid": _("Enter an email address in the correct format, like name@example.com"),
}


class EmailAddressField(forms.EmailField):
    """A resident's email address: "Email address", at most 254 characters,
    and the GOV.UK messages for a missing or malformed one."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Email address"))
        kwargs.setdefault("max_length", 254)
        kwargs.setdefault("error_messages", EMAIL_ERRORS)
        super().__init__(**kwargs)
