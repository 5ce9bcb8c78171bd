from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from import_export.admin import ImportExportModelAdmin

from accounts.admin import reason_action
from accounts.services import moderation_record
from marketplace.admin import PagesChangedMixin, PointAsTextMixin

from .models import Category, Service, ServicePhoto, Subcategory
from .resources import ServiceResource
from .services import service_set_status


class SubcategoryInline(admin.TabularInline):
    model = Subcategory
    fields = ["name", "slug", "position"]
    extra = 0
    show_change_link = True


@admin.register(Category)
class CategoryAdmin(PagesChangedMixin, ImportExportModelAdmin):
    list_display = ["name", "slug", "position", "platform_fee_percent"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SubcategoryInline]


@admin.register(Subcategory)
class SubcategoryAdmin(PagesChangedMixin, ImportExportModelAdmin):
    list_display = ["name", "slug", "category", "position"]
    list_filter = ["category"]
    list_select_related = ["category"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class ServicePhotoInline(admin.TabularInline):
    model = ServicePhoto
    fields = ["image", "alt_text", "position"]
    extra = 0


def _label(service: Service) -> str:
    return f"{service.title} ({service.provider.business_name})"


@transaction.atomic
def _moderate(service: Service, *, actor, reason: str, status: str) -> None:
    """Hide or unhide; the change, its line of the moderation trail and the listing's own
    admin history commit together."""
    changed = service_set_status(service=service, status=status, actor=actor)
    hiding = status == Service.Status.HIDDEN
    verb = "hidden" if hiding else "unhidden"
    moderation_record(
        actor=actor,
        action="hide_listing" if hiding else "unhide_listing",
        reason=reason,
        provider=changed.provider,
        target=changed,
    )
    LogEntry.objects.log_actions(
        user_id=actor.pk,
        queryset=[changed],
        action_flag=CHANGE,
        change_message=f"{verb} by a moderator: {reason}",
        single_object=True,
    )


def _listing_action(name: str, description: str, done: str, *, selected, status: str):
    return reason_action(
        name=name, description=description, label=_label, done=done,
        rows=lambda modeladmin, request, queryset: selected(queryset).select_related("provider"),
        handle=lambda service, actor, reason: _moderate(
            service, actor=actor, reason=reason, status=status
        ),
    )  # fmt: skip


@admin.register(Service)
class ServiceAdmin(PagesChangedMixin, PointAsTextMixin, ImportExportModelAdmin):
    list_display = ["title", "provider", "subcategory", "city", "status", "price_type", "price"]
    list_filter = ["status", "price_type", "instant_book", "subcategory__category", "city"]
    list_select_related = ["provider", "subcategory", "city"]
    search_fields = ["title", "provider__business_name", "provider__user__email"]
    raw_id_fields = ["provider"]
    readonly_fields = ["rating_average", "rating_count", "created_at", "updated_at"]
    inlines = [ServicePhotoInline]
    resource_classes = [ServiceResource]
    actions = [
        _listing_action(
            "hide", "Hide selected listings from the public", "listing(s) hidden",
            selected=lambda queryset: queryset.exclude(status=Service.Status.HIDDEN),
            status=Service.Status.HIDDEN,
        ),
        _listing_action(
            "unhide", "Show selected hidden listings again (as paused)", "listing(s) unhidden",
            selected=lambda queryset: queryset.filter(status=Service.Status.HIDDEN),
            status=Service.Status.PAUSED,
        ),
    ]  # fmt: skip
