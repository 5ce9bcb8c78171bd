from django.db.models import QuerySet

from accounts.models import User

from .models import Notification

# The header shows "9+" beyond this, so counting never reads more than UNREAD_CAP + 1 rows.
UNREAD_CAP = 9


def notifications_for(*, user: User) -> QuerySet[Notification]:
    """The user's notifications, newest first (what the list page shows)."""
    return Notification.objects.filter(recipient=user).only(
        "id", "kind", "title", "body", "url", "created_at", "read_at"
    )


def unread_count(*, user: User) -> int:
    """How many unread notifications the user has, counted up to UNREAD_CAP + 1 (one query)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True)[
        : UNREAD_CAP + 1
    ].count()
