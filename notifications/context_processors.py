from django.http import HttpRequest
from django.utils.functional import cached_property

from .selectors import UNREAD_CAP, unread_count


class UnreadBadge:
    """The header bell's count: queried only when a template reads it, never for anonymous users."""

    def __init__(self, user) -> None:
        self._user = user

    @cached_property
    def count(self) -> int:
        if not self._user.is_authenticated:
            return 0
        return unread_count(user=self._user)

    @property
    def label(self) -> str:
        return f"{UNREAD_CAP}+" if self.count > UNREAD_CAP else str(self.count)


def unread(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_unread": UnreadBadge(user)}
