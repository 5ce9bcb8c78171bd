"""The Moderators group with exactly the permissions moderating needs.

View and change on accounts, provider profiles, listings, reviews, review reports, fraud
signals and chat message reports; view on bookings, the moderation trail and the sign-in
log. Nothing on settings-like models (sites, groups, permissions, axes, social apps), no add
on people and no delete anywhere. Staff fields stay read-only for them (accounts.admin).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODERATOR_GROUP = "Moderators"

PERMISSIONS = {
    "accounts": {
        "user": ["view", "change"],
        "providerprofile": ["view", "change"],
        "providerstatusevent": ["view"],
        "moderationaction": ["view"],
        "signinevent": ["view"],
    },
    "listings": {"service": ["view", "change"], "servicephoto": ["view", "change"]},
    "bookings": {"booking": ["view"], "bookingevent": ["view"]},
    "reviews": {
        "review": ["view", "change"],
        "reviewreport": ["view", "change"],
        "fraudsignal": ["view", "change"],
        "customerrating": ["view"],
        "reviewphoto": ["view"],
        "reviewresponse": ["view"],
    },
    "chat": {
        "messagereport": ["view", "change"],
        "conversation": ["view"],
        "message": ["view"],
    },
}


def codenames():
    for app_label, models in PERMISSIONS.items():
        for model, verbs in models.items():
            for verb in verbs:
                yield app_label, f"{verb}_{model}"


def create_group(apps, schema_editor):
    # On a fresh database the permissions are only created after all migrations ran
    # (post_migrate): create them now so that the group can hold them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=MODERATOR_GROUP)
    wanted = [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in codenames()
    ]
    group.permissions.set(wanted)


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=MODERATOR_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0005_moderation_trail_client_info"),
        ("listings", "0006_service_archived_status"),
        ("bookings", "0004_alter_bookingevent_action"),
        ("reviews", "0001_initial"),
        ("chat", "0002_unread_email"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
