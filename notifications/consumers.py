"""The header's live counts: every open page of a signed-in user listens on the user's group.

Thin on purpose: the counts come from the selectors the pages use, so the bell says what a
reload would. The chat app extends it with the header's unread messages (chat.consumers; the
layering keeps notifications from importing chat). Messages from the group only say that
something changed; what is pushed is read from the database.
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from marketplace.live import user_group

from .selectors import UNREAD_CAP, unread_count

# Close code for a socket nobody may open (anonymous): distinct from the network's codes.
CLOSE_NOT_ALLOWED = 4403


async def refuse(consumer: AsyncJsonWebsocketConsumer) -> None:
    """Close with CLOSE_NOT_ALLOWED. Accepted first: a socket closed during the handshake gets
    an HTTP 403 that browsers report as 1006, like a network failure (the page would retry)."""
    await consumer.accept()
    await consumer.close(code=CLOSE_NOT_ALLOWED)


def _label(count: int) -> str:
    return f"{UNREAD_CAP}+" if count > UNREAD_CAP else str(count)


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await refuse(self)
            return
        self.user = user
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.connected()

    async def connected(self) -> None:
        """A page that reconnects after a gap learns the count it missed."""
        await self.send_json(await self._counts())

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        """The client has nothing to say; anything it sends is ignored."""

    async def notification_created(self, event: dict) -> None:
        payload = await self._notification(event.get("id"))
        if payload is not None:
            await self.send_json(payload)

    @database_sync_to_async
    def _notification(self, notification_id) -> dict | None:
        notification = (
            self.user.notifications.filter(pk=notification_id).only("title", "url").first()
            if isinstance(notification_id, int)
            else None
        )
        if notification is None:
            return None
        count = unread_count(user=self.user)
        return {
            "type": "notification",
            "unread": count,
            "label": _label(count),
            "title": notification.title,
            "url": notification.url,
        }

    @database_sync_to_async
    def _counts(self) -> dict:
        count = unread_count(user=self.user)
        return {"type": "notification", "unread": count, "label": _label(count), "title": ""}
