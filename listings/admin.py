from django.contrib import admin, messages
from import_export.admin import ImportExportModelAdmin

from marketplace.admin import PointAsTextMixin

from .models import Category, Service, ServicePhoto, Subcategory
from .resources import ServiceResource
from .services import service_set_status


class SubcategoryInline(admin.TabularInline):
    model = Subcategory
    fields = ["name", "slug", "position"]
    extra = 0
    show_change_link = True


@admin.register(Category)
class CategoryAdmin(ImportExportModelAdmin):
    list_display = ["name", "slug", "position"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SubcategoryInline]


@admin.register(Subcategory)
class SubcategoryAdmin(ImportExportModelAdmin):
    list_display = ["name", "slug", "category", "position"]
    list_filter = ["category"]
    list_select_related = ["category"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class ServicePhotoInline(admin.TabularInline):
    model = ServicePhoto
    fields = ["image", "alt_text", "position"]
    extra = 0


@admin.register(Service)
class ServiceAdmin(PointAsTextMixin, ImportExportModelAdmin):
    list_display = ["title", "provider", "subcategory", "city", "status", "price_type", "price"]
    list_filter = ["status", "price_type", "instant_book", "subcategory__category", "city"]
    list_select_related = ["provider", "subcategory", "city"]
    search_fields = ["title", "provider__business_name", "provider__user__email"]
    raw_id_fields = ["provider"]
    readonly_fields = ["rating_average", "rating_count", "created_at", "updated_at"]
    inlines = [ServicePhotoInline]
    resource_classes = [ServiceResource]
    actions = ["hide", "unhide"]

    def _moderate(self, request, queryset, status: str, verb: str) -> None:
        services = list(queryset)
        for service in services:
            service_set_status(service=service, status=status, actor=request.user)
            # The admin's own history is the audit trail of moderation on listings.
            self.log_change(request, service, f"{verb} by a moderator")
        self.message_user(request, f"{len(services)} listing(s) {verb}.", messages.SUCCESS)

    @admin.action(description="Hide selected listings from the public")
    def hide(self, request, queryset):
        self._moderate(request, queryset, Service.Status.HIDDEN, "hidden")

    @admin.action(description="Show selected hidden listings again (as paused)")
    def unhide(self, request, queryset):
        self._moderate(
            request,
            queryset.filter(status=Service.Status.HIDDEN),
            Service.Status.PAUSED,
            "unhidden",
        )
