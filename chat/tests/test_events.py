"""The broadcasts after commit, and a channel layer that fails is logged, not raised."""

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
    assert async_to_sync(layer.receive)(room) == {"type": "chat.message", "seq": 1}
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
        mock.patch("chat.events.get_channel_layer", return_value=broken),
        django_capture_on_commit_callbacks(execute=True),
    ):
        message = services.message_send(conversation=conversation, sender=customer, body="Hi")
    assert message.pk
    assert "Could not tell group" in caplog.text
