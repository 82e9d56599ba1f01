"""The second step's forms, the same for staff and residents: the code from
an authenticator app (or a recovery code) at sign-in, and the first code
that proves a newly added app works."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("Security code"),
        max_length=40,
        help_text=_(
            "The 6-digit code your authenticator app shows, or one of your recovery codes."
        ),
        error_messages={"required": _("Enter the code from your authenticator app")},
    )


class SetupCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=40,
        help_text=_("The 6-digit code the app shows for this account."),
        error_messages={"required": _("Enter the 6-digit code the app shows")},
    )
