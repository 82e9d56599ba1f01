from __future__ import annotations

from pathlib import Path

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from townhall.cases.models import Channel
from townhall.catalogue.engine.definition import State
from townhall.catalogue.transfer import MAX_BYTES, SUFFIXES


class StatusForm(forms.Form):
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

    def __init__(self, *args: object, next_states: tuple[State, ...], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["status"].choices = [(s.id, s.label) for s in next_states]  # type: ignore[attr-defined]


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Add an internal note"),
        max_length=5000,
        widget=forms.Textarea,
        error_messages={"required": _("Enter the note")},
    )


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
        choices=[
            (Channel.PHONE, _("Phone")),
            (Channel.FACE_TO_FACE, _("Face to face")),
            (Channel.EMAIL, _("Email or letter")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Select how the resident got in touch")},
    )
