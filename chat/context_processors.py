from django.http import HttpRequest
from django.utils.functional import cached_property

from notifications.context_processors import UnreadBadge

from .selectors import unread_total


class UnreadMessages(UnreadBadge):
    """The header's Messages count, capped like the bell's ("9+"): queried only when a
    template reads it (pages that do not render the header ask nothing)."""

    @cached_property
    def count(self) -> int:
        return unread_total(user=self._user)


def unread(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"messages_unread": UnreadMessages(user)}
