"""Moderators handle support cases: view and change cases (the admin's reply, refund and close
forms need the change permission), view their messages, photos and trail."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODERATOR_GROUP = "Moderators"
CODENAMES = ["view_case", "change_case", "view_casemessage", "view_casephoto", "view_caseevent"]


def grant(apps, schema_editor):
    config = apps.get_app_config("support")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=MODERATOR_GROUP)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="support", codename__in=CODENAMES)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=MODERATOR_GROUP).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="support", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_moderators_group"),
        ("support", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
