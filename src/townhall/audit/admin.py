from django.contrib import admin
from django.http import HttpRequest

from townhall.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    """Read only: the log is append-only."""

    list_display = ["at", "organisation", "actor", "action", "case_reference", "personal_data"]
    list_filter = ["action", "organisation"]
    search_fields = ["case_reference", "actor__email"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
