from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from townhall.tenancy.models import Membership, Organisation, Site, Team


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "reference_prefix", "gss_code"]
    prepopulated_fields = {"slug": ["name"]}


class SiteForm(forms.ModelForm):
    # A tick box per language instead of the JSON list the field stores.
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The languages residents can choose on this site. English is always offered."),
    )

    class Meta:
        model = Site
        fields = ["host", "name", "organisations", "is_default", "public_url", "languages"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    form = SiteForm
    list_display = ["host", "name", "public_url", "is_default", "languages"]
    filter_horizontal = ["organisations"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["organisation", "role"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "organisation"]
    list_filter = ["organisation"]
    prepopulated_fields = {"slug": ["name"]}
