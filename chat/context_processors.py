from django.http import HttpRequest
from django.utils.functional import cached_property

from .selectors import unread_total

# The header shows "99+" beyond this.
UNREAD_CAP = 99


class UnreadMessages:
    """The header's Messages count: queried only when a template reads it (pages that do not
    render the header ask nothing), never for anonymous people."""

    def __init__(self, user) -> None:
        self._user = user

    @cached_property
    def count(self) -> int:
        return unread_total(user=self._user)

    @property
    def label(self) -> str:
        return f"{UNREAD_CAP}+" if self.count > UNREAD_CAP else str(self.count)


def unread(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"messages_unread": UnreadMessages(user)}
