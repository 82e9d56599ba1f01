from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from townhall.cases import selectors
from townhall.cases.models import STAFF_CHANNELS, Case, Channel, Contact, ResponseTemplate
from townhall.cases.public import IMAGE_TYPES
from townhall.catalogue.engine.definition import State
from townhall.catalogue.engine.inputs import sniff_content_type
from townhall.catalogue.engine.validation import CONTROL_CHARACTERS
from townhall.catalogue.models import Service
from townhall.catalogue.transfer import MAX_BYTES, SUFFIXES
from townhall.integrations.models import ApiKey
from townhall.tenancy.models import Organisation

PHOTO_MAX_MB = 20


class PhotoForm(forms.Form):
    """An optional photo, as a field officer takes it with their phone's camera:
    kept only if its first bytes say it is a JPEG, PNG, GIF or WebP image."""

    photo_label = _("Photo (optional)")
    photo = forms.FileField(
        required=False,
        help_text=_(
            "Take one with your phone's camera, or choose a picture: JPG, PNG, GIF or WEBP, "
            "smaller than 20MB. Only staff see it."
        ),
        error_messages={
            "invalid": _("The photo could not be read: take or choose it again"),
            "empty": _("The photo is empty: take or choose it again"),
        },
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["photo"].label = self.photo_label

    def clean_photo(self) -> UploadedFile | None:
        upload: UploadedFile | None = self.cleaned_data.get("photo")
        if not upload:
            return None
        if (upload.size or 0) > PHOTO_MAX_MB * 1024 * 1024:
            raise forms.ValidationError(_("The photo must be smaller than 20MB"))
        if sniff_content_type(upload) not in IMAGE_TYPES:
            raise forms.ValidationError(_("The photo must be a JPG, PNG, GIF or WEBP image"))
        return upload


class StatusForm(PhotoForm):
    status = forms.ChoiceField(
        label=_("New status"),
        error_messages={
            "required": _("Select the new status"),
            "invalid_choice": _("Select one of the statuses this case can move to"),
        },
    )
    public_message = forms.CharField(
        label=_("Update for the resident (optional)"),
        help_text=_("Sent to the resident by email and shown when they track their case."),
        required=False,
        max_length=2000,
        widget=forms.Textarea,
    )
    internal_note = forms.CharField(
        label=_("Internal note (optional)"),
        help_text=_("Only staff see this."),
        required=False,
        max_length=5000,
        widget=forms.Textarea,
    )
    # The case's version the member of staff saw (optimistic locking).
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
    template = forms.ChoiceField(
        label=_("Or use a response template"),
        help_text=_("Used when the update above is left empty."),
        required=False,
        error_messages={"invalid_choice": _("Select one of the response templates listed")},
    )

    def __init__(
        self,
        *args: object,
        next_states: tuple[State, ...],
        templates: list[ResponseTemplate] | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s.id, s.label) for s in next_states]  # type: ignore[attr-defined]
        self.templates = {str(t.pk): t for t in templates or []}
        self.fields["template"].choices = [  # type: ignore[attr-defined]
            ("", _("None")),
            *((pk, t.name) for pk, t in self.templates.items()),
        ]
        if not self.templates:
            del self.fields["template"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = self.templates.get(data.get("template") or "")
        data["response_template"] = chosen
        if chosen is not None and chosen.state and chosen.state != data.get("status"):
            self.add_error("template", _("That response template is for another status"))
        return data


class NoteForm(PhotoForm):
    photo_label = _("Photo with the note (optional)")
    note = forms.CharField(
        label=_("Add an internal note"),
        max_length=5000,
        required=False,
        widget=forms.Textarea,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("note") and not data.get("photo") and "photo" not in self.errors:
            self.add_error("note", _("Enter the note"))
        return data


class ServiceImportForm(forms.Form):
    """A definition file to import, and whether to publish it. The file's contents
    are checked by `catalogue.transfer.definition_read`, not here."""

    file = forms.FileField(
        label=_("Service definition file"),
        help_text=_("A YAML or JSON file (.yaml, .yml or .json) smaller than 1 MB."),
        error_messages={
            "required": _("Select a service definition file"),
            "empty": _("The selected file is empty"),
            "invalid": _("Select a service definition file"),
            "missing": _("Select a service definition file"),
        },
    )
    action = forms.ChoiceField(
        label=_("What do you want to do with it?"),
        choices=[("draft", _("Save it as a draft")), ("publish", _("Publish it now"))],
        initial="draft",
        error_messages={
            "required": _("Select whether to save it as a draft or publish it"),
            "invalid_choice": _("Select whether to save it as a draft or publish it"),
        },
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower() not in SUFFIXES:
            raise forms.ValidationError(_("The selected file must be a YAML or JSON file"))
        if (upload.size or 0) > MAX_BYTES:
            raise forms.ValidationError(_("The selected file must be smaller than 1 MB"))
        return upload


class ChannelForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("How did the resident get in touch?"),
        choices=[(channel.value, channel.label) for channel in STAFF_CHANNELS],
        widget=forms.RadioSelect,
        error_messages={"required": _("Select how the resident got in touch")},
    )


class ContactForm(forms.Form):
    """A contact an adviser logs without a case: only how and why are needed."""

    channel = forms.ChoiceField(
        label=_("How did the resident get in touch?"),
        choices=[(channel.value, channel.label) for channel in STAFF_CHANNELS],
        widget=forms.RadioSelect,
        error_messages={"required": _("Select how the resident got in touch")},
    )
    reason = forms.ChoiceField(
        label=_("Why did they get in touch?"),
        choices=Contact.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select why the resident got in touch")},
    )
    outcome = forms.ChoiceField(
        label=_("What was the outcome?"),
        # A case is opened through the service's own pages, not here.
        choices=[c for c in Contact.Outcome.choices if c[0] != Contact.Outcome.CASE_OPENED],
        widget=forms.RadioSelect,
        error_messages={"required": _("Select the outcome")},
    )
    service = forms.ModelChoiceField(
        label=_("Service (optional)"),
        queryset=Service.objects.none(),
        required=False,
        to_field_name="slug",
        empty_label=_("Not about one service"),
        error_messages={"invalid_choice": _("Select one of the council's services")},
    )
    reference = forms.CharField(
        label=_("Case reference (optional)"),
        help_text=_("If the contact is about an existing case, for example EXA-2026-12345678."),
        required=False,
        max_length=40,
    )
    avoidable = forms.ChoiceField(
        label=_("Could this contact have been avoided? (optional)"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": _("Select yes or no")},
    )
    duration_minutes = forms.IntegerField(
        label=_("How long did it take, in minutes? (optional)"),
        help_text=_("Phone and face to face only."),
        required=False,
        min_value=0,
        max_value=600,
        error_messages={
            "invalid": _("Enter the time in whole minutes, like 5"),
            "min_value": _("The time must be 0 minutes or more"),
            "max_value": _("The time must be 600 minutes or less"),
        },
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        help_text=_("Only staff see this. Keep personal details out unless they are needed."),
        required=False,
        max_length=500,
        widget=forms.Textarea,
        error_messages={"max_length": _("The note must be 500 characters or fewer")},
    )

    def __init__(self, *args: object, organisation: Organisation, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.organisation = organisation
        self.fields["service"].queryset = Service.objects.for_organisation(  # type: ignore[attr-defined]
            organisation
        ).order_by("name")

    def clean_reference(self) -> Case | None:
        wanted = CONTROL_CHARACTERS.sub("", self.cleaned_data["reference"]).strip()
        if not wanted:
            return None
        case = selectors.staff_case(organisation=self.organisation, reference=wanted)
        if case is None:
            raise forms.ValidationError(_("No case of this council has that reference"))
        return case

    def clean_avoidable(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data["avoidable"])


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        help_text=_("The system or supplier that will use the key, for example “Highways system”."),
        max_length=100,
        error_messages={"required": _("Enter a name for the key")},
    )
    scope = forms.ChoiceField(
        label=_("What the key may do"),
        choices=ApiKey.Scope.choices,
        initial=ApiKey.Scope.READ,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select what the key may do"),
            "invalid_choice": _("Select what the key may do"),
        },
    )

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if not name or CONTROL_CHARACTERS.search(name):
            raise forms.ValidationError(_("Enter a name for the key"))
        return name


class InsightFilterForm(forms.Form):
    start = forms.DateField(
        label=_("From"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter the start date as a real date, like 2026-04-01")},
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter the end date as a real date, like 2027-03-31")},
    )
    period = forms.ChoiceField(
        label=_("Count by"),
        required=False,
        initial="month",
        choices=[
            ("day", _("Day")),
            ("week", _("Week")),
            ("month", _("Month")),
            ("financial_year", _("Financial year")),
        ],
        error_messages={"invalid_choice": _("Choose day, week, month or financial year")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date must be on or before the end date"))
        if start and end and (end - start).days > 3660:
            raise forms.ValidationError(_("Choose a period of 10 years or less"))
        return data


class CostRatesForm(forms.Form):
    """A cost in pounds for each channel (blank: the published default)."""

    named = forms.BooleanField(
        label=_(
            "Show our council's name beside its figures to other councils on this installation"
        ),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, label in Channel.choices:
            self.fields[f"rate_{code}"] = forms.DecimalField(
                label=label,
                required=False,
                min_value=0,
                max_value=10000,
                decimal_places=2,
                error_messages={
                    "invalid": _("Enter the cost in pounds, like 2.83"),
                    "min_value": _("The cost must be 0 or more"),
                    "max_value": _("The cost must be £10,000 or less"),
                    "max_decimal_places": _("Enter the cost to the nearest penny"),
                },
            )

    def rate_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("rate_")]


class ContactExportForm(forms.Form):
    """Which contacts to download: those made between two dates (either may be left out)."""

    date_from = forms.DateField(
        label=_("From (date)"),
        required=False,
        help_text=_("For example, 2026-11-30"),
        error_messages={"invalid": _("Enter the from date as year-month-day, like 2026-11-30")},
    )
    date_to = forms.DateField(
        label=_("To (date)"),
        required=False,
        help_text=_("For example, 2026-11-30"),
        error_messages={"invalid": _("Enter the to date as year-month-day, like 2026-11-30")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The to date must be the same as or after the from date"))
        return data
