from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from townhall.cases.models import UpdatesBy
from townhall.cases.references import normalise_reference
from townhall.cases.updates import mobile_number
from townhall.places.postcodes import postcode_normalise

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

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
        required=False,
        error_messages={
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
        },
    )
    # Or, for someone who gave no email (a phone call): the phone number or
    # the postcode of the address they gave.
    phone = forms.CharField(label=_("Or your phone number"), max_length=30, required=False)
    postcode = forms.CharField(label=_("Or your postcode"), max_length=10, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = any(data.get(name) for name in ("email", "phone", "postcode"))
        if not given and "email" not in self.errors:
            self.add_error(
                "email", _("Enter the email address, phone number or postcode you gave us")
            )
        return data

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


class UpdatesForm(forms.Form):
    """How the resident wants to hear about their case: the ways the council
    offers, each with the detail it needs."""

    updates_by = forms.ChoiceField(
        label=_("How would you like to get updates about your request?"),
        error_messages={"required": _("Choose how to get updates")},
    )
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        required=False,
        error_messages={
            "invalid": _("Enter an email address in the correct format, like name@example.com")
        },
    )
    phone = forms.CharField(
        label=_("Mobile phone number"),
        help_text=_("For example, 07700 900 982"),
        max_length=30,
        required=False,
    )
    address = forms.CharField(
        label=_("Postal address"),
        help_text=_("Without the postcode"),
        max_length=400,
        required=False,
        widget=forms.Textarea,
    )
    postcode = forms.CharField(label=_("Postcode"), max_length=10, required=False)

    def __init__(
        self, *args: Any, offered: list[tuple[str, StrOrPromise]], has_email: bool, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.has_email = has_email
        choice = self.fields["updates_by"]
        assert isinstance(choice, forms.ChoiceField)  # noqa: S101  (declared above)
        choice.choices = offered

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        choice = data.get("updates_by")
        if choice == UpdatesBy.EMAIL and not data.get("email") and not self.has_email:
            if "email" not in self.errors:
                self.add_error("email", _("Enter an email address"))
        elif choice == UpdatesBy.SMS:
            if not data.get("phone"):
                self.add_error("phone", _("Enter a mobile phone number"))
            elif mobile_number(data["phone"]) is None:
                self.add_error("phone", _("Enter a UK mobile phone number, like 07700 900 982"))
        elif choice == UpdatesBy.LETTER:
            if not data.get("address", "").strip():
                self.add_error("address", _("Enter the address to send letters to"))
            if not data.get("postcode"):
                self.add_error("postcode", _("Enter a postcode"))
            elif postcode_normalise(data["postcode"]) is None:
                self.add_error("postcode", _("Enter a real postcode, like SW1A 1AA"))
        return data
