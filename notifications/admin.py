from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "created_at", "read_at", "email_sent_at"]
    list_filter = ["kind", ("email_sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "recipient__email"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient"]
    readonly_fields = ["created_at", "email_sent_at", "email_attempts", "email_last_error"]
    date_hierarchy = "created_at"
