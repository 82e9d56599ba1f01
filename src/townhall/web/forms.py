from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from townhall.cases.references import normalise_reference

REFERENCE = re.compile(r"^[A-Z]{2,5}-\d{4}-\d{8}$")


class ServiceSearchForm(forms.Form):
    q = forms.CharField(label=_("Search services"), max_length=100, required=False, strip=True)


class TrackForm(forms.Form):
    reference = forms.CharField(
        label=_("Your reference"),
        help_text=_("For example, EXA-2026-48210937. It is in your confirmation email."),
        max_length=40,
        error_messages={"required": _("Enter your reference")},
    )
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("The email address you gave when you got in touch."),
        max_length=254,
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
        },
    )

    def clean_reference(self) -> str:
        reference = normalise_reference(self.cleaned_data["reference"])
        if not REFERENCE.match(reference):
            raise forms.ValidationError(
                _("Enter your reference in the format it was given, like EXA-2026-48210937")
            )
        return reference


class ResumeEmailForm(forms.Form):
    email = forms.EmailField(
        label=_("What email address should we send the link to?"),
        max_length=254,
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
        },
    )
