from django.contrib import admin

from .models import AvailabilityException, Booking, BookingEvent, WeeklyAvailability
from .selectors import bookings_today


class StartsFilter(admin.SimpleListFilter):
    title = "starts"
    parameter_name = "starts"

    def lookups(self, request, model_admin):
        return [("today", "Today (open or done)")]

    def queryset(self, request, queryset):
        if self.value() == "today":
            return queryset.filter(pk__in=bookings_today().values("pk"))
        return queryset


class BookingEventInline(admin.TabularInline):
    model = BookingEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "from_status", "to_status", "actor", "reason", "at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """Read-mostly: status changes go through the services so the timeline stays true."""

    list_display = ["id", "service", "customer", "provider", "status", "period", "created_at"]
    list_filter = ["status", StartsFilter]
    list_select_related = ["service", "customer", "provider"]
    search_fields = ["customer__email", "provider__business_name", "service__title"]
    raw_id_fields = ["customer", "provider", "service", "cancelled_by", "proposed_by"]
    readonly_fields = ["status", "cancellation_fee", "cancelled_by", "reminder_sent_at"]
    inlines = [BookingEventInline]


@admin.register(WeeklyAvailability)
class WeeklyAvailabilityAdmin(admin.ModelAdmin):
    list_display = ["provider", "weekday", "start_time", "end_time"]
    raw_id_fields = ["provider"]


@admin.register(AvailabilityException)
class AvailabilityExceptionAdmin(admin.ModelAdmin):
    list_display = ["provider", "date", "kind", "start_time", "end_time"]
    raw_id_fields = ["provider"]
