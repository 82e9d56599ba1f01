from django.contrib import admin

from townhall.notifications.models import Email


@admin.register(Email)
class EmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "organisation", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "organisation"]
    readonly_fields = [f.name for f in Email._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
