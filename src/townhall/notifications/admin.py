from django.contrib import admin

from townhall.notifications.models import Delivery, NotifySettings


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


@admin.register(NotifySettings)
class NotifySettingsAdmin(admin.ModelAdmin):
    """Listed here; edited in the back office (Notify settings), where the API
    key and callback token are write-only."""

    list_display = ["organisation", "enabled", "api_key_hint", "updated_at"]
    fields = (
        "organisation",
        "enabled",
        "api_key_hint",
        "email_template_id",
        "sms_template_id",
        "letter_template_id",
        "updated_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
