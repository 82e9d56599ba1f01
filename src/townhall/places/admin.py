from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from townhall.places.models import Area, Postcode, RoutingRule


class ReadOnlyAdmin(admin.ModelAdmin):
    """Areas and postcodes change only by import, so every process's cache is told."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Area)
class AreaAdmin(ReadOnlyAdmin):
    list_display = ["name", "code", "type", "name_cy", "organisation", "updated_at"]
    list_filter = ["type", "organisation"]
    search_fields = ["name", "name_cy", "code"]
    readonly_fields = ["geometry"]


@admin.register(Postcode)
class PostcodeAdmin(ReadOnlyAdmin):
    list_display = ["postcode", "lat", "lon", "terminated_on", "district_code", "ward_code"]
    list_filter = ["terminated_on"]
    search_fields = ["postcode"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    """Every council's rows, for the installation's administrators; councils use /staff/routing/."""

    list_display = ["service_slug", "lgsl", "area", "organisation", "team"]
    list_filter = ["organisation", "area__type"]
    search_fields = ["service_slug", "area__name", "area__code"]
    raw_id_fields = ["area"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[RoutingRule]:
        # A boundary can be megabytes of GeoJSON: the list needs only its name and code.
        return (
            super()
            .get_queryset(request)
            .select_related("area", "organisation", "team")
            .defer("area__geometry")
        )
