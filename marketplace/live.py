"""Telling open pages over the channel layer, after a commit: a fast path, never the record.

Every live message (a chat message, a read receipt, a new notification) is saved in PostgreSQL
first, and a page that missed one catches up from the database. So a channel layer that fails
(Redis down) is logged and swallowed here, never raised into the request that already saved,
and a Redis that hangs costs a request at most SEND_TIMEOUT_SECONDS: after a failure, sends are
skipped for RETRY_AFTER_SECONDS (as marketplace.cache skips the cache), so a page does not wait
out a timeout per message while Redis is away. One state for every caller: Redis is down for
all of them at once.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

SEND_TIMEOUT_SECONDS = 0.5
RETRY_AFTER_SECONDS = 5.0

_state = threading.Lock()
_down_until = 0.0


def user_group(user_id: int) -> str:
    """The group every open page of one signed-in user listens on (the header's socket)."""
    return f"notifications_user_{user_id}"


def layer_reset() -> None:
    """Try the channel layer again at once (tests start each case with it up)."""
    global _down_until
    with _state:
        _down_until = 0.0


def _mark_down() -> None:
    global _down_until
    with _state:
        _down_until = time.monotonic() + RETRY_AFTER_SECONDS


async def _bounded_send(layer, group: str, event: dict) -> None:
    await asyncio.wait_for(layer.group_send(group, event), timeout=SEND_TIMEOUT_SECONDS)


def group_send(group: str, event: dict) -> bool:
    """Send `event` to `group`; False (logged) when the layer is down or was just now."""
    layer = get_channel_layer()
    if layer is None or time.monotonic() < _down_until:
        return False
    try:
        async_to_sync(_bounded_send)(layer, group, event)
    except Exception:  # any layer failure: the row is saved; pages catch up
        _mark_down()
        logger.warning("Could not tell group %s about %s", group, event["type"], exc_info=True)
        return False
    return True
