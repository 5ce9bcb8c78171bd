"""The admin site, with what needs attention on its start page (moderation.selectors)."""

from django.contrib import admin

from .selectors import attention_items


class ModerationAdminSite(admin.AdminSite):
    site_header = "Nearhand moderation"
    site_title = "Nearhand admin"
    index_title = "What needs attention"
    index_template = "admin/moderation/index.html"

    def index(self, request, extra_context=None):
        context = {"attention": attention_items(user=request.user), **(extra_context or {})}
        return super().index(request, extra_context=context)
