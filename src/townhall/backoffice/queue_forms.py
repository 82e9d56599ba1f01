"""Forms for the queues and caseworking actions. Choices come from lists the
view loaded once, so a form never queries the database itself."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from townhall.cases.models import Channel, Priority
from townhall.cases.queues import QueueName

QUEUE_LABELS = {
    QueueName.OPEN: _("Open cases"),
    QueueName.MINE: _("Assigned to me"),
    QueueName.TEAM: _("My teams"),
    QueueName.UNASSIGNED: _("Unassigned"),
    QueueName.OVERDUE: _("Overdue"),
    QueueName.UPDATED: _("Recently updated"),
    QueueName.CLOSED: _("Closed cases"),
}
DATE_ERRORS = {"invalid": _("Enter a real date, like 2026-01-31")}


def _date(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages=DATE_ERRORS,
    )


class QueueFilterForm(forms.Form):
    """The queue's filters, from the query string."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("A reference, email, phone number, postcode, name or words"),
    )
    service = forms.ChoiceField(label=_("Service"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)
    area = forms.ChoiceField(label=_("Area"), required=False)
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("Any")), *Channel.choices]
    )
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=[("", _("Any")), *Priority.choices]
    )
    created_from = _date(_("Received from"))
    created_to = _date(_("Received to"))
    updated_from = _date(_("Updated from"))
    updated_to = _date(_("Updated to"))

    def __init__(
        self,
        *args: Any,
        services: list[tuple[str, str]],
        statuses: list[tuple[str, str]],
        teams: list[tuple[str, str]],
        staff: list[tuple[str, str]],
        areas: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", _("Any")), *services]  # type: ignore[attr-defined]
        self.fields["status"].choices = [("", _("Any")), *statuses]  # type: ignore[attr-defined]
        self.fields["team"].choices = [("", _("Any")), *teams]  # type: ignore[attr-defined]
        self.fields["assignee"].choices = [("", _("Any")), *staff]  # type: ignore[attr-defined]
        self.fields["area"].choices = [("", _("Any")), *areas]  # type: ignore[attr-defined]
        if not areas:
            del self.fields["area"]


class SavedFilterForm(forms.Form):
    name = forms.CharField(
        label=_("Save these filters as"),
        max_length=80,
        error_messages={"required": _("Enter a name for these filters")},
    )


class VersionedForm(forms.Form):
    """A change to a case, made by someone who saw it at `version`."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)


class AssignForm(VersionedForm):
    team = forms.ChoiceField(label=_("Team"), required=False)
    assignee = forms.ChoiceField(label=_("Person"), required=False)

    def __init__(
        self, *args: Any, teams: list[tuple[str, str]], staff: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", _("No team")), *teams]  # type: ignore[attr-defined]
        self.fields["assignee"].choices = [("", _("Nobody")), *staff]  # type: ignore[attr-defined]


class PriorityForm(VersionedForm):
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=Priority.choices,
        error_messages={"required": _("Select a priority")},
    )


class ReopenForm(VersionedForm):
    internal_note = forms.CharField(
        label=_("Why it is reopened (staff only)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea,
    )


class MergeForm(VersionedForm):
    into = forms.CharField(
        label=_("Reference of the case this one duplicates"),
        max_length=40,
        error_messages={"required": _("Enter the reference of the case this one duplicates")},
    )


class TransferForm(VersionedForm):
    organisation = forms.ChoiceField(
        label=_("Council to pass it to"),
        error_messages={
            "required": _("Select the council to pass the case to"),
            "invalid_choice": _("Select one of the councils listed"),
        },
    )
    public_message = forms.CharField(
        label=_("What to tell the resident (optional)"),
        help_text=_("Said with the name of the council it now is with."),
        required=False,
        max_length=2000,
        widget=forms.Textarea,
    )

    def __init__(self, *args: Any, councils: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", _("Choose a council")), *councils]  # type: ignore[attr-defined]


class BulkForm(forms.Form):
    """An action on the cases ticked in the queue."""

    cases = forms.MultipleChoiceField(
        error_messages={"required": _("Select at least one case")},
    )
    action = forms.ChoiceField(
        choices=[("assign", _("Assign")), ("priority", _("Set priority"))],
        error_messages={"required": _("Choose what to do with the selected cases")},
    )
    team = forms.ChoiceField(label=_("Team"), required=False)
    assignee = forms.ChoiceField(label=_("Person"), required=False)
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=[("", _("Unchanged")), *Priority.choices]
    )

    def __init__(
        self,
        *args: Any,
        references: list[str],
        teams: list[tuple[str, str]],
        staff: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cases"].choices = [(r, r) for r in references]  # type: ignore[attr-defined]
        self.fields["team"].choices = [("", _("No team")), *teams]  # type: ignore[attr-defined]
        self.fields["assignee"].choices = [("", _("Nobody")), *staff]  # type: ignore[attr-defined]
