"""Forms of the routing table's pages: one row to add, a file to import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from townhall.places.models import Area

MAX_BYTES = 1024 * 1024


class RoutingRuleForm(forms.Form):
    """A row naming the staff member's council: a service (or an LGSL code), an area, a team."""

    service = forms.ChoiceField(label=_("Service"), required=False)
    lgsl = forms.IntegerField(
        label=_("Or an LGSL code"),
        help_text=_("For every service with this code in the Local Government Service List."),
        required=False,
        min_value=1,
        max_value=999_999_999,
        error_messages={
            "invalid": _("Enter the LGSL code as a whole number, like 524"),
            "min_value": _("Enter the LGSL code as a whole number, like 524"),
            "max_value": _("Enter the LGSL code as a whole number, like 524"),
        },
    )
    area_type = forms.ChoiceField(label=_("Type of area"))
    area_code = forms.CharField(
        label=_("Area code"),
        help_text=_("The area's GSS code, for example E07000178."),
        max_length=20,
        error_messages={"required": _("Enter the area's code")},
    )
    team = forms.ChoiceField(label=_("Team (optional)"), required=False)

    def __init__(
        self,
        *args: Any,
        services: list[tuple[str, str]],
        teams: list[tuple[str, str]],
        area_types: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", _("Choose a service")), *services]  # type: ignore[attr-defined]
        self.fields["team"].choices = [("", _("The service's own routing")), *teams]  # type: ignore[attr-defined]
        self.fields["area_type"].choices = area_types  # type: ignore[attr-defined]
        self.fields["area_type"].error_messages["invalid_choice"] = _("Choose a type of area")
        self.fields["service"].error_messages["invalid_choice"] = _("Choose one of the services")
        self.fields["team"].error_messages["invalid_choice"] = _("Choose one of your teams")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("service")) == (data.get("lgsl") is not None) and not self.errors:
            self.add_error("service", _("Choose a service or enter an LGSL code, not both"))
        area_type, code = data.get("area_type"), (data.get("area_code") or "").strip()
        if area_type and code:
            area = Area.objects.filter(type=area_type, code=code).defer("geometry").first()
            if area is None:
                self.add_error("area_code", _("There is no area of that type with that code"))
            data["area"] = area
        return data


class RoutingImportForm(forms.Form):
    file = forms.FileField(
        label=_("Routing table (CSV)"),
        help_text=_(
            "Columns service, lgsl, area_type, area_code, council, team. Your council's rows "
            "are replaced by the file's. Smaller than 1 MB."
        ),
        error_messages={
            "required": _("Select a CSV file"),
            "empty": _("The selected file is empty"),
            "invalid": _("Select a CSV file"),
            "missing": _("Select a CSV file"),
        },
    )

    def clean_file(self) -> str:
        upload: UploadedFile = self.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower() != ".csv":
            raise forms.ValidationError(_("The selected file must be a CSV file"))
        if (upload.size or 0) > MAX_BYTES:
            raise forms.ValidationError(_("The selected file must be smaller than 1 MB"))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise forms.ValidationError(_("The selected file must be text in UTF-8")) from error
