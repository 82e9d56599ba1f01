"""Forms for the council's set-up pages: teams and response templates. Choices
come from lists the view loaded, so a form never queries the database itself."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from townhall.cases.casework import PLACEHOLDERS
from townhall.cases.response_templates import unknown_placeholders


class TeamForm(forms.Form):
    name = forms.CharField(
        label=_("Team name"),
        max_length=120,
        error_messages={
            "required": _("Enter the team's name"),
            "max_length": _("The team's name must be 120 characters or fewer"),
        },
    )


class TeamCreateForm(TeamForm):
    slug = forms.SlugField(
        label=_("Short name"),
        max_length=80,
        help_text=_(
            "Service definitions send cases to the team by this name, for example "
            "street-scene. Lowercase letters, numbers and hyphens. It cannot be changed later."
        ),
        error_messages={
            "required": _("Enter a short name for the team"),
            "invalid": _("The short name can only hold lowercase letters, numbers and hyphens"),
            "max_length": _("The short name must be 80 characters or fewer"),
        },
    )

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"]
        if slug != slug.lower():
            raise forms.ValidationError(
                _("The short name can only hold lowercase letters, numbers and hyphens")
            )
        return slug


class TeamEditForm(TeamForm):
    members = forms.MultipleChoiceField(
        label=_("Members"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The team's cases are these people's \"My teams\" queue."),
        error_messages={"invalid_choice": _("Choose members from the council's staff")},
    )

    def __init__(self, *args: Any, staff: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = staff  # type: ignore[attr-defined]


class ResponseTemplateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        help_text=_('What staff choose it by, such as "Cleared within a week"'),
        error_messages={
            "required": _("Enter a name for the template"),
            "max_length": _("The name must be 80 characters or fewer"),
        },
    )
    service = forms.ChoiceField(label=_("Service"), required=False)
    state = forms.ChoiceField(
        label=_("For a change to"),
        required=False,
        error_messages={"invalid_choice": _("Choose a status the service has")},
    )
    text = forms.CharField(
        label=_("Text"),
        max_length=2000,
        widget=forms.Textarea,
        error_messages={
            "required": _("Enter the text of the template"),
            "max_length": _("The text must be 2,000 characters or fewer"),
        },
    )

    def __init__(
        self,
        *args: Any,
        services: list[tuple[str, str]],
        states: dict[str, list[tuple[str, str]]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.states = states
        self.fields["text"].help_text = _(
            "The resident reads this. Placeholders: %(placeholders)s"
        ) % {"placeholders": ", ".join(f"(({name}))" for name in PLACEHOLDERS)}
        self.fields["service"].choices = [("", _("Any service")), *services]  # type: ignore[attr-defined]
        every: dict[str, str] = {}
        for choices in states.values():
            for state_id, label in choices:
                every.setdefault(state_id, label)
        self.fields["state"].choices = [  # type: ignore[attr-defined]
            ("", _("Any status")),
            *sorted(every.items(), key=lambda item: item[1]),
        ]

    def clean_text(self) -> str:
        text: str = self.cleaned_data["text"]
        unknown = unknown_placeholders(text)
        if unknown:
            raise forms.ValidationError(
                _("%(unknown)s is not a placeholder. Use %(placeholders)s")
                % {
                    "unknown": ", ".join(f"(({name}))" for name in unknown),
                    "placeholders": ", ".join(f"(({name}))" for name in PLACEHOLDERS),
                }
            )
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        service, state = data.get("service"), data.get("state")
        if service and state and state not in {s for s, _label in self.states.get(service, [])}:
            self.add_error("state", _("The service you chose has no such status"))
        return data
