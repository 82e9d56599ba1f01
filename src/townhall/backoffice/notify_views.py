"""The council's GOV.UK Notify settings, for organisation admins. The API key
and the callback token are write-only: the page shows only the key's name and
last characters."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from townhall.backoffice.access import permission_required
from townhall.notifications.models import NotifySettings
from townhall.notifications.services import NOTIFY_TEMPLATE_FIELDS, notify_settings_save
from townhall.tenancy.models import Organisation
from townhall.tenancy.permissions import Permission
from townhall.tenancy.selectors import public_url_for

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

UUID_SHAPE = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
# A Notify API key: its name, the service ID and the secret, joined by hyphens.
API_KEY_SHAPE = r"^.+-[0-9a-f-]{36}-[0-9a-f-]{36}$"


def template_field(label: StrOrPromise) -> forms.CharField:
    return forms.RegexField(
        regex=UUID_SHAPE,
        label=label,
        required=False,
        max_length=36,
        error_messages={"invalid": gettext_lazy("Enter a template ID as Notify shows it")},
    )


class NotifySettingsForm(forms.Form):
    enabled = forms.BooleanField(
        label=gettext_lazy("Send messages through GOV.UK Notify"), required=False
    )
    api_key = forms.RegexField(
        regex=API_KEY_SHAPE,
        label=gettext_lazy("API key"),
        help_text=gettext_lazy(
            "A live key from Notify's API integration page. Leave empty to keep the saved key."
        ),
        required=False,
        max_length=200,
        error_messages={"invalid": gettext_lazy("Enter the whole API key as Notify showed it")},
    )
    email_template_id = template_field(gettext_lazy("Email template ID"))
    sms_template_id = template_field(gettext_lazy("Text message template ID"))
    letter_template_id = template_field(gettext_lazy("Letter template ID"))
    email_reply_to_id = template_field(gettext_lazy("Email reply-to address ID (optional)"))
    sms_sender_id = template_field(gettext_lazy("Text message sender ID (optional)"))
    callback_token = forms.CharField(
        label=gettext_lazy("Callback bearer token"),
        help_text=gettext_lazy(
            "At least 10 characters; enter the same in Notify's callbacks page. "
            "Leave empty to keep the saved token."
        ),
        required=False,
        min_length=10,
        max_length=200,
        error_messages={"min_length": gettext_lazy("Enter a token of at least 10 characters")},
    )

    def __init__(self, *args: object, saved: NotifySettings | None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.saved = saved

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("api_key") and not (self.saved and self.saved.api_key):
            self.add_error("api_key", _("Enter the API key"))
        return data


def _initial(config: NotifySettings | None) -> dict[str, object]:
    if config is None:
        return {"enabled": True}
    fields = [*NOTIFY_TEMPLATE_FIELDS, "email_reply_to_id", "sms_sender_id", "enabled"]
    return {name: getattr(config, name) for name in fields}


@require_http_methods(["GET", "POST"])
@permission_required(Permission.ADMINISTER)
def notify_settings(request: HttpRequest) -> HttpResponse:
    organisation: Organisation = request.organisation  # type: ignore[attr-defined]
    config = NotifySettings.objects.filter(organisation=organisation).first()
    form = NotifySettingsForm(
        request.POST if request.method == "POST" else None,
        initial=_initial(config),
        saved=config,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        notify_settings_save(
            organisation=organisation,
            enabled=data["enabled"],
            templates={name: data[name] for name in NOTIFY_TEMPLATE_FIELDS},
            api_key=data["api_key"],
            callback_token=data["callback_token"],
            email_reply_to_id=data["email_reply_to_id"],
            sms_sender_id=data["sms_sender_id"],
        )
        messages.success(request, _("GOV.UK Notify settings saved."))
        return redirect("backoffice:notify-settings")
    callback_url = public_url_for(organisation) + reverse("notifications:notify-receipts")
    return render(
        request,
        "backoffice/notify_settings.html",
        {
            "form": form,
            "config": config,
            "callback_url": callback_url,
            "has_errors": bool(form.errors),
        },
        status=400 if form.errors else 200,
    )
