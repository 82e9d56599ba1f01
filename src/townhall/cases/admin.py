from django.contrib import admin

from townhall.cases.models import Case, CaseEvent, Contact, ResponseTemplate

EVENT_FIELDS = (
    "created_at",
    "kind",
    "actor",
    "from_status",
    "to_status",
    "dispatched_at",
    "dispatch_error",
)


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    fields = EVENT_FIELDS
    readonly_fields = EVENT_FIELDS
    extra = 0
    can_delete = False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Read-only: cases change through the back office, which keeps the timeline."""

    list_display = ["reference", "organisation", "service", "status", "channel", "created_at"]
    list_filter = ["organisation", "channel", "is_open"]
    search_fields = ["reference"]
    inlines = [CaseEventInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    """Read-only: contacts are written by submissions and by staff logging them."""

    list_display = ["created_at", "organisation", "channel", "reason", "outcome", "service", "case"]
    list_filter = ["organisation", "channel", "reason", "outcome"]
    list_select_related = ["organisation", "service", "case"]
    raw_id_fields = ["case", "recorded_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "service", "state"]
    list_filter = ["organisation"]
