"""The broadcasts after commit, and a channel layer that fails is logged, not raised."""

import asyncio
from unittest import mock

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from chat import events, services


def test_message_created_tells_the_conversation_and_the_recipient(
    conversation, customer, pro, django_capture_on_commit_callbacks
):
    layer = get_channel_layer()
    async_to_sync(layer.flush)()
    room = async_to_sync(layer.new_channel)()
    inbox = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(events.conversation_group(conversation.pk), room)
    async_to_sync(layer.group_add)(events.user_group(pro.pk), inbox)
    with django_capture_on_commit_callbacks(execute=True):
        services.message_send(conversation=conversation, sender=customer, body="Hi")
    heard = async_to_sync(layer.receive)(room)
    assert (heard["type"], heard["seq"]) == ("chat.message", 1)
    # With the payload every viewer shares (bench/chat.py: no read back per open socket).
    assert (heard["payload"]["seq"], heard["payload"]["body"]) == (1, "Hi")
    assert heard["payload"]["sender_id"] == customer.pk
    assert async_to_sync(layer.receive)(inbox) == {"type": "chat.unread"}
    async_to_sync(layer.flush)()


def test_conversation_read_tells_the_conversation(conversation):
    layer = get_channel_layer()
    async_to_sync(layer.flush)()
    room = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(events.conversation_group(conversation.pk), room)
    events.conversation_read(conversation.pk, 7, 3)
    assert async_to_sync(layer.receive)(room) == {"type": "chat.read", "user_id": 7, "seq": 3}
    async_to_sync(layer.flush)()


def test_a_failing_channel_layer_is_logged_and_the_message_kept(
    conversation, customer, django_capture_on_commit_callbacks, caplog
):
    broken = mock.Mock()
    broken.group_send = mock.AsyncMock(side_effect=ConnectionError("Redis is down"))
    with (
        mock.patch("marketplace.live.get_channel_layer", return_value=broken),
        django_capture_on_commit_callbacks(execute=True),
    ):
        message = services.message_send(conversation=conversation, sender=customer, body="Hi")
    assert message.pk
    assert "Could not tell group" in caplog.text


def test_a_hung_channel_layer_is_given_up_on_and_then_skipped(conversation, customer, caplog):
    """Redis that accepts the connection and never answers: the send is abandoned after
    marketplace.live.SEND_TIMEOUT_SECONDS, and the next sends are not tried for
    RETRY_AFTER_SECONDS."""

    async def never_answers(group, event):
        await asyncio.Event().wait()

    hung = mock.Mock()
    hung.group_send = mock.AsyncMock(side_effect=never_answers)
    with mock.patch("marketplace.live.get_channel_layer", return_value=hung):
        events.conversation_read(conversation.pk, customer.pk, 1)
        events.conversation_read(conversation.pk, customer.pk, 2)
    assert hung.group_send.await_count == 1
    assert "Could not tell group" in caplog.text
