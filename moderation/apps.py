from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ModerationConfig(AppConfig):
    """The moderation dashboard: the admin's start page, the Moderators group."""

    name = "moderation"
    verbose_name = "Moderation"


class ModerationAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the moderation start page (installed in place of
    "django.contrib.admin": every app's @admin.register lands on this site)."""

    default = False
    default_site = "moderation.sites.ModerationAdminSite"
