"""People for moderation tests: a moderator (staff in the Moderators group the moderation
migration creates) and a staff member outside the group."""

from django.contrib.auth.models import Group

from accounts.tests.factories import UserFactory

MODERATORS = "Moderators"


def moderator_make(**fields):
    user = UserFactory(is_staff=True, name="Morgan Moderator", **fields)
    user.groups.add(Group.objects.get(name=MODERATORS))
    return user


def plain_staff_make(**fields):
    return UserFactory(is_staff=True, name="Sam Staff", **fields)
