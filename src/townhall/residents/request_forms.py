"""Forms of "My requests"."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from townhall.residents.request_actions import REPLY_MAX_LENGTH


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("Your reply"),
        help_text=_("Answer what the council asked. Do not include bank or card details."),
        widget=forms.Textarea,
        max_length=REPLY_MAX_LENGTH,
        error_messages={
            "required": _("Enter your reply"),
            "max_length": _("Your reply must be %(limit_value)d characters or fewer"),
        },
    )


class UpdatesSwitchForm(forms.Form):
    """Stop or start updates: one button each, so the value is checked, not trusted."""

    updates = forms.ChoiceField(
        choices=[("on", _("Start updates")), ("off", _("Stop updates"))],
        error_messages={"required": _("Choose whether to get updates")},
    )
