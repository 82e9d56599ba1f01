from django.contrib import admin

from townhall.catalogue.models import Service, ServiceVersion


class ServiceVersionInline(admin.TabularInline):
    model = ServiceVersion
    fields = ["number", "status", "created_at", "published_at"]
    readonly_fields = ["number", "status", "created_at", "published_at"]
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "category", "is_active", "published_version"]
    list_filter = ["organisation", "category", "is_active"]
    search_fields = ["name", "slug"]
    readonly_fields = ["published_version"]
    inlines = [ServiceVersionInline]


@admin.register(ServiceVersion)
class ServiceVersionAdmin(admin.ModelAdmin):
    list_display = ["service", "number", "status", "published_at"]
    list_filter = ["status"]
    readonly_fields = ["service", "number", "status", "created_at", "published_at", "definition"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # versions come from imports, so every one is validated
