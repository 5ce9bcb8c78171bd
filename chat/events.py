"""What the live parts hear after a chat write commits (called only from on_commit).

The database is the record: a client that missed a broadcast catches up from
`selectors.messages_after` when it (re)connects; `marketplace.live` sends, bounded in time and
never raising (Redis down or hung).
"""

from __future__ import annotations

import logging

from marketplace.live import group_send as _send
from marketplace.live import user_group

from .models import Message
from .selectors import message_payload_for_broadcast

logger = logging.getLogger(__name__)


def conversation_group(conversation_id: int) -> str:
    return f"chat_conversation_{conversation_id}"


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
