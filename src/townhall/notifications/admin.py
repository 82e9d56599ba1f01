from django.contrib import admin

from townhall.notifications.models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "subject",
        "channel",
        "organisation",
        "status",
        "attempts",
        "interrupted",
        "created_at",
        "sent_at",
    ]
    list_filter = ["status", "channel", "provider", "interrupted", "organisation"]
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
