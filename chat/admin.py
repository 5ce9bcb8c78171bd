"""Moderation in the admin: conversations with their messages (read only), and reported
messages with the conversation around them and what a moderator can do about them.

Message text is shown as typed (moderators must see the contact details a message tried to
pass on), always escaped: format_html escapes every argument.
"""

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from accounts.admin import each_row, reason_action

from .models import Conversation, Message, MessageReport
from .moderation import (
    report_block_sender,
    report_dismiss,
    report_suspend_sender,
    reports_context,
)

QUOTE_MAX_CHARS = 300


def _sender_name(message: Message) -> str:
    return message.sender.name or message.sender.email


def _quote(message: Message) -> str:
    body = message.body
    return body if len(body) <= QUOTE_MAX_CHARS else body[: QUOTE_MAX_CHARS - 1] + "…"


class MessageInline(admin.TabularInline):
    model = Message
    fields = ["seq", "sender", "body", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    ordering = ["seq"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sender")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["pk", "customer", "provider", "last_message_at", "last_seq"]
    list_select_related = ["customer", "provider"]
    search_fields = ["customer__email", "customer__name", "provider__business_name"]
    fields = [
        "customer", "provider", "created_at", "last_message_at", "last_seq",
        "customer_read_seq", "provider_read_seq",
    ]  # fmt: skip
    readonly_fields = fields
    inlines = [MessageInline]
    # Its page is for the two participants only (404 to anyone else, moderators included).
    view_on_site = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ReportChangeList(ChangeList):
    """Loads the conversation around every listed report in one query (no query a row)."""

    def get_results(self, request):
        super().get_results(request)
        contexts = reports_context(reports=self.result_list)
        for report in self.result_list:
            report.context_messages = contexts.get(report.pk, [])


@admin.register(MessageReport)
class MessageReportAdmin(admin.ModelAdmin):
    # The message in its conversation first: it is what a moderator reads.
    list_display = ["conversation_around", "reason", "reporter", "status", "created_at"]
    list_display_links = ["created_at"]
    list_filter = ["status"]
    list_select_related = ["reporter", "message__sender", "message__conversation"]
    search_fields = ["reason", "message__body", "reporter__email", "message__sender__email"]
    fields = [
        "status", "reporter", "reason", "created_at", "handled_by", "handled_at", "sender",
        "conversation_link", "conversation_around",
    ]  # fmt: skip
    readonly_fields = fields
    actions = [
        "dismiss",
        "block_sender",
        reason_action(
            name="suspend_sender", description="Suspend the sender", shown_to="the sender",
            rows=lambda modeladmin, request, queryset: queryset.select_related("message__sender"),
            label=lambda report: f"{report.message.sender.email}: “{_quote(report.message)}”",
            done="report(s) handled: sender suspended",
            handle=lambda report, actor, reason: report_suspend_sender(
                report=report, moderator=actor, reason=reason
            ),
        ),
    ]  # fmt: skip

    class Media:
        css = {"all": ["admin/chat/reports.css"]}

    def get_changelist(self, request, **kwargs):
        return ReportChangeList

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Sender")
    def sender(self, report: MessageReport) -> str:
        return _sender_name(report.message)

    @admin.display(description="Conversation")
    def conversation_link(self, report: MessageReport) -> str:
        conversation = report.message.conversation
        url = reverse("admin:chat_conversation_change", args=[conversation.pk])
        return format_html('<a href="{}">Conversation {}</a>', url, conversation.pk)

    @admin.display(description="The message and the conversation around it")
    def conversation_around(self, report: MessageReport) -> str:
        around = getattr(report, "context_messages", None)
        if around is None:  # the report's own page: one report, one query
            around = reports_context(reports=[report]).get(report.pk, [])
        rows = (
            (
                format_html(
                    "<strong>#{} {}: {} (reported)</strong>"
                    if message.pk == report.message_id
                    else "#{} {}: {}",
                    message.seq,
                    _sender_name(message),
                    _quote(message),
                ),
            )
            for message in around
        )
        return format_html(
            "<ol class='chat-report-context'>{}</ol>", format_html_join("", "<li>{}</li>", rows)
        )

    @admin.action(description="Dismiss: nothing wrong with the message")
    def dismiss(self, request, queryset):
        each_row(
            self, request, queryset,
            lambda report: report_dismiss(report=report, moderator=request.user),
            "report(s) dismissed",
        )  # fmt: skip

    @admin.action(description="Block the sender (for the reporter)")
    def block_sender(self, request, queryset):
        each_row(
            self, request, queryset,
            lambda report: report_block_sender(report=report, moderator=request.user),
            "report(s) handled: sender blocked",
        )  # fmt: skip
