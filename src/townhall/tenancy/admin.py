from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import Field
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from townhall.tenancy.models import Membership, Organisation, Site, Team


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "reference_prefix", "gss_code"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["host", "name", "public_url", "is_default", "languages"]
    filter_horizontal = ["organisations"]

    def formfield_for_dbfield(
        self, db_field: Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        if db_field.name == "languages":
            # A tick box per language instead of the JSON list the field stores.
            return forms.MultipleChoiceField(
                label=_("Languages"),
                choices=settings.LANGUAGES,
                widget=forms.CheckboxSelectMultiple,
                help_text=_(
                    "The languages residents can choose on this site. English is always offered."
                ),
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["organisation", "role"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "organisation"]
    list_filter = ["organisation"]
    prepopulated_fields = {"slug": ["name"]}
