from __future__ import annotations

from django import forms

from townhall.catalogue.engine.definition import State


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
