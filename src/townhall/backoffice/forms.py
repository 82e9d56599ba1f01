from __future__ import annotations

from pathlib import Path

from django import forms
from django.core.files.uploadedfile import UploadedFile

from townhall.cases.models import Channel
from townhall.catalogue.engine.definition import State
from townhall.catalogue.transfer import MAX_BYTES, SUFFIXES


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label="New status",
        error_messages={
            "required": "Select the new status",
            "invalid_choice": "Select one of the statuses this case can move to",
        },
    )
    public_message = forms.CharField(
        label="Update for the resident (optional)",
        help_text="Sent to the resident by email and shown when they track their case.",
        required=False,
        max_length=2000,
        widget=forms.Textarea,
    )
    internal_note = forms.CharField(
        label="Internal note (optional)",
        help_text="Only staff see this.",
        required=False,
        max_length=5000,
        widget=forms.Textarea,
    )

    def __init__(self, *args: object, next_states: tuple[State, ...], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["status"].choices = [(s.id, s.label) for s in next_states]  # type: ignore[attr-defined]


class NoteForm(forms.Form):
    note = forms.CharField(
        label="Add an internal note",
        max_length=5000,
        widget=forms.Textarea,
        error_messages={"required": "Enter the note"},
    )


class ServiceImportForm(forms.Form):
    """A definition file to import, and whether to publish it. The file's contents
    are checked by `catalogue.transfer.definition_read`, not here."""

    file = forms.FileField(
        label="Service definition file",
        help_text="A YAML or JSON file (.yaml, .yml or .json) smaller than 1 MB.",
        error_messages={
            "required": "Select a service definition file",
            "empty": "The selected file is empty",
            "invalid": "Select a service definition file",
            "missing": "Select a service definition file",
        },
    )
    action = forms.ChoiceField(
        label="What do you want to do with it?",
        choices=[("draft", "Save it as a draft"), ("publish", "Publish it now")],
        initial="draft",
        error_messages={
            "required": "Select whether to save it as a draft or publish it",
            "invalid_choice": "Select whether to save it as a draft or publish it",
        },
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower() not in SUFFIXES:
            raise forms.ValidationError("The selected file must be a YAML or JSON file")
        if (upload.size or 0) > MAX_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 1 MB")
        return upload


class ChannelForm(forms.Form):
    channel = forms.ChoiceField(
        label="How did the resident get in touch?",
        choices=[
            (Channel.PHONE, "Phone"),
            (Channel.FACE_TO_FACE, "Face to face"),
            (Channel.EMAIL, "Email or letter"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the resident got in touch"},
    )
