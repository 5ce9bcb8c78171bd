"""What the live parts hear after a chat write commits (called only from on_commit).

The database is the record: a client that missed a broadcast catches up from
`selectors.messages_after` when it (re)connects. So a channel layer that fails (Redis down)
is logged and swallowed here, never raised into the request that already saved the message,
and a Redis that hangs costs a request at most SEND_TIMEOUT_SECONDS: after a failure, sends
are skipped for RETRY_AFTER_SECONDS (as marketplace.cache skips the cache), so a page does
not wait out a timeout per message while Redis is away.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from .models import Message
from .selectors import message_payload_for_broadcast

logger = logging.getLogger(__name__)

SEND_TIMEOUT_SECONDS = 0.5
RETRY_AFTER_SECONDS = 5.0

_state = threading.Lock()
_down_until = 0.0


def conversation_group(conversation_id: int) -> str:
    return f"chat_conversation_{conversation_id}"


def user_group(user_id: int) -> str:
    return f"notifications_user_{user_id}"


async def _bounded_send(layer, group: str, event: dict) -> None:
    await asyncio.wait_for(layer.group_send(group, event), timeout=SEND_TIMEOUT_SECONDS)


def _mark_down() -> None:
    global _down_until
    with _state:
        _down_until = time.monotonic() + RETRY_AFTER_SECONDS


def _send(group: str, event: dict) -> None:
    layer = get_channel_layer()
    if layer is None or time.monotonic() < _down_until:
        return
    try:
        async_to_sync(_bounded_send)(layer, group, event)
    except Exception:  # any layer failure: the message is saved; clients catch up
        _mark_down()
        logger.warning("Could not tell group %s about %s", group, event["type"], exc_info=True)


def message_created(message: Message) -> None:
    """Tell the conversation's open pages that message `seq` exists, with its payload (the
    part every viewer shares, built once here so the sockets need not read it back), and the
    recipient's pages that their unread count changed."""
    event = {"type": "chat.message", "seq": message.seq}
    try:
        event["payload"] = message_payload_for_broadcast(message)
    except Exception:  # the sockets read the message from the database instead
        logger.warning("Could not build the payload of message %s", message.pk, exc_info=True)
    conversation = message.conversation  # with its provider, read by the payload's build
    _send(conversation_group(conversation.pk), event)
    recipient_id = (
        conversation.provider.user_id
        if message.sender_id == conversation.customer_id
        else conversation.customer_id
    )
    _send(user_group(recipient_id), {"type": "chat.unread"})


def conversation_read(conversation_id: int, reader_id: int, seq: int) -> None:
    """Tell the conversation's open pages that `reader_id` has read up to `seq` ("Seen")."""
    _send(
        conversation_group(conversation_id),
        {"type": "chat.read", "user_id": reader_id, "seq": seq},
    )
    # The reader's other pages show a smaller unread total now.
    _send(user_group(reader_id), {"type": "chat.unread"})
