from django.contrib import admin
from django.db import transaction
from import_export.admin import ImportExportModelAdmin

from accounts.admin import each_row, reason_asked
from accounts.services import moderation_record
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

    def _moderate(self, request, queryset, *, status: str, title: str, verb: str, action: str):
        """Hide or unhide with a reason; each change and its line of the moderation trail
        commit together."""
        queryset = queryset.select_related("provider__user")
        reason = reason_asked(
            self, request, queryset, title=title,
            label=lambda service: f"{service.title} ({service.provider.business_name})",
        )  # fmt: skip
        if not isinstance(reason, str):
            return reason

        def moderate(service: Service) -> None:
            with transaction.atomic():
                changed = service_set_status(service=service, status=status, actor=request.user)
                moderation_record(
                    actor=request.user,
                    action=action,
                    reason=reason,
                    provider=changed.provider,
                    target=changed,
                )
                # The listing's own admin history says so too.
                self.log_change(request, changed, f"{verb} by a moderator: {reason}")

        each_row(self, request, queryset, moderate, f"listing(s) {verb}")
        return None

    @admin.action(description="Hide selected listings from the public", permissions=["change"])
    def hide(self, request, queryset):
        return self._moderate(
            request,
            queryset.exclude(status=Service.Status.HIDDEN),
            status=Service.Status.HIDDEN,
            title="Hide selected listings",
            verb="hidden",
            action="hide_listing",
        )

    @admin.action(
        description="Show selected hidden listings again (as paused)", permissions=["change"]
    )
    def unhide(self, request, queryset):
        return self._moderate(
            request,
            queryset.filter(status=Service.Status.HIDDEN),
            status=Service.Status.PAUSED,
            title="Show selected listings again",
            verb="unhidden",
            action="unhide_listing",
        )
