"""The forms of a resident's profile pages, with GOV.UK-style messages that
say what is wrong and how to put it right."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from townhall.catalogue.engine.types.phone import uk_phone_number
from townhall.places.models import Postcode
from townhall.places.postcodes import PostcodeNotFound, postcode_find, postcode_normalise
from townhall.residents.models import Language, UpdatesBy


class DateOfBirthMixin(forms.Form):
    """An optional date of birth as three boxes (day, month, year), as GOV.UK asks for dates."""

    dob_day = forms.CharField(label=_("Day"), max_length=2, required=False)
    dob_month = forms.CharField(label=_("Month"), max_length=2, required=False)
    dob_year = forms.CharField(label=_("Year"), max_length=4, required=False)

    def clean_date_of_birth(self, data: dict[str, Any]) -> datetime.date | None:
        parts = [str(data.get(f"dob_{p}") or "").strip() for p in ("day", "month", "year")]
        if not any(parts):
            return None
        if not all(parts):
            self.add_error("dob_day", _("Date of birth must include a day, month and year"))
            return None
        try:
            day, month, year = (int(part) for part in parts)
            born = datetime.date(year, month, day)
        except (ValueError, OverflowError):
            self.add_error("dob_day", _("Date of birth must be a real date"))
            return None
        if born > timezone.localdate():
            self.add_error("dob_day", _("Date of birth must be in the past"))
            return None
        if year < 1890:
            self.add_error("dob_day", _("Date of birth must be after 1890"))
            return None
        return born


class ProfileForm(DateOfBirthMixin):
    first_name = forms.CharField(
        label=_("First name"),
        max_length=150,
        error_messages={
            "required": _("Enter your first name"),
            "max_length": _("First name must be 150 characters or fewer"),
        },
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        error_messages={
            "required": _("Enter your last name"),
            "max_length": _("Last name must be 150 characters or fewer"),
        },
    )
    phone = forms.CharField(
        label=_("Phone number (optional)"),
        help_text=_("For international numbers include the country code"),
        max_length=30,
        required=False,
    )
    address_line1 = forms.CharField(
        label=_("Address line 1 (optional)"),
        max_length=200,
        required=False,
        error_messages={"max_length": _("Address line 1 must be 200 characters or fewer")},
    )
    address_line2 = forms.CharField(
        label=_("Address line 2 (optional)"),
        max_length=200,
        required=False,
        error_messages={"max_length": _("Address line 2 must be 200 characters or fewer")},
    )
    town = forms.CharField(
        label=_("Town or city (optional)"),
        max_length=200,
        required=False,
        error_messages={"max_length": _("Town or city must be 200 characters or fewer")},
    )
    postcode = forms.CharField(label=_("Postcode (optional)"), max_length=10, required=False)
    updates_by = forms.ChoiceField(
        label=_("How should we contact you?"),
        choices=UpdatesBy.choices,
        error_messages={"required": _("Select how we should contact you")},
    )
    language = forms.ChoiceField(
        label=_("Which language should we write to you in?"),
        choices=Language.choices,
        error_messages={"required": _("Select the language we should write to you in")},
    )

    def clean_phone(self) -> str:
        text = self.cleaned_data["phone"].strip()
        if not text:
            return ""
        number = uk_phone_number(text)
        if number is None:
            raise forms.ValidationError(
                _("Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192")
            )
        return number

    def clean_postcode(self) -> str:
        text = self.cleaned_data["postcode"].strip()
        if not text:
            return ""
        postcode = postcode_normalise(text)
        if postcode is None:
            raise forms.ValidationError(_("Enter a real postcode, like SW1A 2AA"))
        # Checked against the postcode directory where one is loaded.
        if Postcode.objects.exists():
            try:
                postcode_find(postcode)
            except PostcodeNotFound as error:
                raise forms.ValidationError(
                    _("We cannot find the postcode %(postcode)s. Check it and try again")
                    % {"postcode": postcode}
                ) from error
        return postcode

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["date_of_birth"] = self.clean_date_of_birth(data)
        lines = [data.get("address_line1", ""), data.get("town", "")]
        if any([*lines, data.get("address_line2", "")]) and not all(lines):
            field = "address_line1" if not data.get("address_line1") else "town"
            message = (
                _("Enter address line 1, or leave the whole address empty")
                if field == "address_line1"
                else _("Enter the town or city, or leave the whole address empty")
            )
            if field not in self.errors:
                self.add_error(field, message)
        wants_texts = data.get("updates_by") == UpdatesBy.SMS
        if wants_texts and not data.get("phone") and "phone" not in self.errors:
            self.add_error("phone", _("Enter a mobile phone number to get text messages"))
        if (
            data.get("updates_by") == UpdatesBy.POST
            and not (data.get("address_line1") and data.get("postcode"))
            and "address_line1" not in self.errors
        ):
            self.add_error("address_line1", _("Enter your address and postcode to get letters"))
        return data

    def address_text(self) -> str:
        data = self.cleaned_data
        parts = (data["address_line1"], data["address_line2"], data["town"])
        return "\n".join(part.strip() for part in parts if part.strip())


class HouseholdMemberForm(DateOfBirthMixin):
    name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        error_messages={
            "required": _("Enter their full name"),
            "max_length": _("Full name must be 200 characters or fewer"),
        },
    )
    relationship = forms.CharField(
        label=_("Their relationship to you"),
        help_text=_("For example, partner, son, mother or lodger"),
        max_length=100,
        error_messages={
            "required": _("Enter their relationship to you"),
            "max_length": _("Relationship must be 100 characters or fewer"),
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["date_of_birth"] = self.clean_date_of_birth(data)
        return data


class ReuseForm(forms.Form):
    """Agree (or stop agreeing) that the profile fills in requests."""

    agree = forms.BooleanField(
        label=_("Yes, fill in my requests from my profile"),
        required=False,
    )


class CloseAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that closing my account cannot be undone"),
        error_messages={"required": _("Confirm that you understand closing your account")},
    )
