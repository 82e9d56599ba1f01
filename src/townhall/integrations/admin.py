from django.contrib import admin

from townhall.integrations.models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Read-only here: keys are made by `townhall api_key_create` or in the
    back office, which show the key once."""

    list_display = ["name", "organisation", "scope", "prefix", "last_used_at", "revoked_at"]
    list_filter = ["organisation", "scope"]
    readonly_fields = ["prefix", "key_hash", "created_at", "created_by", "last_used_at"]

    def has_add_permission(self, request: object) -> bool:
        return False
