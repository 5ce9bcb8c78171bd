"""The live conversation page and the header's unread messages, over websockets.

Thin: who may connect, what is saved and what a viewer sees are the chat services' and
selectors' answers (the same the pages use). The socket is a fast path over the database:
a client says the last seq it has (`hello`), gets every message after it from PostgreSQL, and
each `chat.message` broadcast carries its seq and the payload every viewer shares (built once
by chat.events). When that seq is the next one this client needs, the consumer sends the
payload as this viewer sees it, with no query; otherwise (a broadcast lost, or one without a
payload) it sends what came after the last seq it sent this client, read from PostgreSQL. So
messages arrive in order, with no gap and none twice, whatever the broadcasts lost or repeated.

Frames from the client: {"type": "hello", "after": seq}, {"type": "send", "body", "ref"},
{"type": "typing"}, {"type": "read", "seq"}. To the client: {"type": "message", "message":
payload}, {"type": "sent", "ref", "seq"}, {"type": "typing"}, {"type": "read", "seq"} (how far
the other person has read), {"type": "error", "code", "message", "ref"}.
"""

import asyncio
import json
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from marketplace.errors import DomainError, NotAllowed
from notifications.consumers import NotificationConsumer, refuse

from .events import conversation_group
from .rules import role_of
from .selectors import (
    conversation_for_participant,
    messages_after,
    read_state,
    unread_total,
    viewer_payload,
)
from .services import conversation_mark_read, message_send

# A client's "typing" is passed on at most this often (keystrokes are many, the hint is one).
TYPING_EVERY_SECONDS = 2.0
# Catch-up is sent in pages of this many messages.
CATCH_UP_PAGE = 200
MAX_FRAME_CHARS = 64_000


# Catch-up reads in flight in this process, by (conversation, viewer, after seq): the tabs one
# person has open on a conversation ask for the same page when a message arrives, and share one
# read. Only reads in flight are shared: nothing is kept once it is done.
_catch_up_reads: dict[tuple[int, int, int], asyncio.Future] = {}


def _error(code: str, message: str, ref=None) -> dict:
    return {"type": "error", "code": code, "message": message, "ref": ref}


def _seq(value) -> int | None:
    """A seq the client sent: a non-negative int (not a bool, not a string)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**31:
        return None
    return value


class ChatConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.user = self.scope.get("user")
        conversation_id = self.scope["url_route"]["kwargs"]["conversation_id"]
        self.conversation = await self._conversation(conversation_id)
        if self.conversation is None:
            await refuse(self)
            return
        # None until the client's hello: broadcasts before it would not know where to start.
        self.sent_seq: int | None = None
        self.typing_at = float("-inf")
        self.role = role_of(conversation=self.conversation, user=self.user)
        self.group = conversation_group(self.conversation.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        if text_data is None or len(text_data) > MAX_FRAME_CHARS:
            await self.send_json(_error("invalid", "That frame is not one this socket takes."))
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            content = None
        if not isinstance(content, dict):
            await self.send_json(_error("invalid", "Frames are JSON objects with a type."))
            return
        await self.receive_json(content)

    async def receive_json(self, content: dict, **kwargs) -> None:
        handler = {
            "hello": self.on_hello,
            "send": self.on_send,
            "typing": self.on_typing,
            "read": self.on_read,
        }.get(content.get("type"))
        if handler is None:
            await self.send_json(_error("invalid", "Unknown frame type."))
            return
        await handler(content)

    # --- From the client ----------------------------------------------------------------

    async def on_hello(self, content: dict) -> None:
        after = _seq(content.get("after", 0))
        if after is None:
            await self.send_json(_error("invalid", "hello needs the last seq you have."))
            return
        self.sent_seq = after
        await self._catch_up()
        await self.send_json({"type": "read", "seq": await self._other_read_seq()})

    async def on_send(self, content: dict) -> None:
        ref = content.get("ref")
        ref = ref if isinstance(ref, str | int) and not isinstance(ref, bool) else None
        body = content.get("body")
        if not isinstance(body, str):
            await self.send_json(_error("invalid", "Write a message.", ref))
            return
        try:
            seq = await self._send(body)
        except DomainError as error:
            await self.send_json(_error(error.code, str(error), ref))
            return
        await self.send_json({"type": "sent", "ref": ref, "seq": seq})

    async def on_typing(self, content: dict) -> None:
        now = time.monotonic()
        if now - self.typing_at < TYPING_EVERY_SECONDS:
            return
        self.typing_at = now
        await self.channel_layer.group_send(
            self.group, {"type": "chat.typing", "user_id": self.user.pk}
        )

    async def on_read(self, content: dict) -> None:
        seq = _seq(content.get("seq"))
        if seq is None:
            await self.send_json(_error("invalid", "read needs the seq you have read up to."))
            return
        try:
            await self._mark_read(seq)
        except DomainError as error:
            await self.send_json(_error(error.code, str(error)))

    # --- From the group -----------------------------------------------------------------

    async def chat_message(self, event: dict) -> None:
        if self.sent_seq is None:
            return
        broadcast = event.get("payload")
        if broadcast is not None and event.get("seq") == self.sent_seq + 1:
            # The next one this client needs: deliver it as it came, no database read.
            payload = viewer_payload(
                broadcast,
                conversation_id=self.conversation.pk,
                viewer_id=self.user.pk,
                role=self.role,
            )
            await self.send_json({"type": "message", "message": payload})
            self.sent_seq = event["seq"]
            return
        # A gap (a broadcast lost, or a catch-up still behind), or no payload: the database.
        seq = event.get("seq")
        if not isinstance(seq, int) or seq > self.sent_seq:  # else: this client has it already
            await self._catch_up()

    async def chat_typing(self, event: dict) -> None:
        if event.get("user_id") != self.user.pk:
            await self.send_json({"type": "typing"})

    async def chat_read(self, event: dict) -> None:
        if event.get("user_id") != self.user.pk:
            await self.send_json({"type": "read", "seq": event.get("seq")})

    # --- Database -----------------------------------------------------------------------

    async def _catch_up(self) -> None:
        """Send every message after the last one this client has, in seq order."""
        while True:
            payloads = await self._payloads_after(self.sent_seq)
            for payload in payloads:
                await self.send_json({"type": "message", "message": payload})
                self.sent_seq = payload["seq"]
            if len(payloads) < CATCH_UP_PAGE:
                return

    @database_sync_to_async
    def _conversation(self, pk: int):
        if self.user is None or not self.user.is_authenticated:
            return None
        return conversation_for_participant(user=self.user, pk=pk)

    async def _payloads_after(self, after: int) -> list[dict]:
        key = (self.conversation.pk, self.user.pk, after)
        read = _catch_up_reads.get(key)
        if read is None:
            read = asyncio.ensure_future(self._read_after(after))
            _catch_up_reads[key] = read
            read.add_done_callback(lambda _: _catch_up_reads.pop(key, None))
        # shield: one tab closing (its task cancelled) must not cancel the others' read.
        return await asyncio.shield(read)

    @database_sync_to_async
    def _read_after(self, after: int) -> list[dict]:
        views = messages_after(
            conversation=self.conversation, viewer=self.user, after_seq=after, limit=CATCH_UP_PAGE
        )
        return [view.payload() for view in views]

    @database_sync_to_async
    def _other_read_seq(self) -> int:
        fresh = conversation_for_participant(user=self.user, pk=self.conversation.pk)
        if fresh is None:
            return 0
        return read_state(conversation=fresh, viewer=self.user)["other_read_seq"]

    @database_sync_to_async
    def _send(self, body: str) -> int:
        # Read again: the provider may have been suspended since the socket opened.
        conversation = conversation_for_participant(user=self.user, pk=self.conversation.pk)
        if conversation is None:
            raise NotAllowed("You can only write in your own conversations.")
        self.conversation = conversation
        return message_send(conversation=conversation, sender=self.user, body=body).seq

    @database_sync_to_async
    def _mark_read(self, seq: int) -> int:
        return conversation_mark_read(
            conversation=self.conversation, reader=self.user, up_to_seq=seq
        )


class HeaderConsumer(NotificationConsumer):
    """/ws/notifications/ with the header's unread messages total as well (the chat app adds it
    here because notifications may not import chat)."""

    async def connected(self) -> None:
        await super().connected()
        await self.chat_unread({})

    async def chat_unread(self, event: dict) -> None:
        await self.send_json({"type": "messages_unread", "total": await self._unread_total()})

    @database_sync_to_async
    def _unread_total(self) -> int:
        return unread_total(user=self.user)
