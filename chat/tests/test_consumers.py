"""The live conversation socket, through the whole ASGI stack (session cookie, origin check)
and the real Redis channel layer: who may connect, catch-up, live delivery in order and once,
the services' refusals as error frames (nothing saved), typing and read."""

import json

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import ProviderProfile
from bookings.models import Booking
from bookings.tests.factories import BookingFactory
from chat import consumers
from chat import services as chat_services
from chat.events import conversation_group
from chat.masking import HIDDEN
from chat.models import MESSAGE_MAX_LENGTH, Block, Conversation, Message
from chat.selectors import conversation_for_participant, messages_after, viewer_payload
from chat.selectors import message_payload_for_broadcast as broadcast_payload
from chat.tests.factories import png
from notifications.tests.test_live import socket_for

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


def _path(conversation) -> str:
    return f"/ws/chat/{conversation.pk}/"


@database_sync_to_async
def _send(conversation, sender, body: str) -> Message:
    return chat_services.message_send(conversation=conversation, sender=sender, body=body)


@database_sync_to_async
def _count(conversation) -> int:
    return Message.objects.filter(conversation=conversation).count()


async def _open(conversation, user, after: int = 0):
    """A participant's socket after its hello: the catch-up messages, then the read state."""
    communicator, accepted, _ = await socket_for(_path(conversation), user)
    assert accepted
    await communicator.send_json_to({"type": "hello", "after": after})
    caught_up = []
    while (frame := await communicator.receive_json_from(timeout=5))["type"] == "message":
        caught_up.append(frame["message"])
    assert frame["type"] == "read"
    return communicator, caught_up


async def _refused(path: str, user=None) -> None:
    communicator, _, _ = await socket_for(path, user)
    assert await communicator.receive_output(timeout=5) == {
        "type": "websocket.close",
        "code": 4403,
    }


async def _next(communicator, kind: str) -> dict:
    frame = await communicator.receive_json_from(timeout=5)
    assert frame["type"] == kind, frame
    return frame


async def test_anonymous_strangers_and_missing_conversations_are_closed_with_4403(
    conversation, stranger
):
    await _refused(_path(conversation))
    await _refused(_path(conversation), stranger)
    await _refused("/ws/chat/99999999999999999999/", stranger)
    customer = await database_sync_to_async(lambda: conversation.customer)()
    await _refused("/ws/chat/0/", customer)


async def test_hello_sends_every_message_after_the_seq_in_order_then_the_read_state(
    conversation, customer, pro
):
    for number in range(1, 4):
        await _send(conversation, customer if number % 2 else pro, f"Message {number}")
    communicator, caught_up = await _open(conversation, pro, after=1)
    assert [(m["seq"], m["body"], m["mine"]) for m in caught_up] == [
        (2, "Message 2", True),
        (3, "Message 3", False),
    ]
    await communicator.disconnect()


async def test_a_message_sent_on_one_socket_arrives_live_on_both_once(conversation, customer, pro):
    mine, _ = await _open(conversation, customer)
    theirs, _ = await _open(conversation, pro)

    await mine.send_json_to({"type": "send", "body": "Is the gate code 1234?", "ref": "a1"})

    assert await _next(mine, "sent") == {"type": "sent", "ref": "a1", "seq": 1}
    received = (await _next(theirs, "message"))["message"]
    assert (received["seq"], received["body"], received["mine"]) == (
        1,
        "Is the gate code 1234?",
        False,
    )
    assert (await _next(mine, "message"))["message"]["mine"] is True
    # A repeated broadcast (or one for a message already sent) sends nothing twice.
    await get_channel_layer().group_send(
        conversation_group(conversation.pk), {"type": "chat.message", "seq": 1}
    )
    assert await theirs.receive_nothing(timeout=0.3)
    assert await mine.receive_nothing(timeout=0.3)
    await mine.disconnect()
    await theirs.disconnect()


async def test_reconnecting_with_the_last_seq_catches_up_with_no_gap_and_no_duplicate(
    conversation, customer, pro
):
    await _send(conversation, customer, "Before")
    theirs, first = await _open(conversation, pro)
    assert [m["seq"] for m in first] == [1]
    await theirs.disconnect()  # the lift

    for body in ("While away 1", "While away 2"):
        await _send(conversation, customer, body)

    back, caught_up = await _open(conversation, pro, after=first[-1]["seq"])
    assert [(m["seq"], m["body"]) for m in caught_up] == [(2, "While away 1"), (3, "While away 2")]
    await _send(conversation, customer, "Live again")
    assert (await _next(back, "message"))["message"]["seq"] == 4
    assert await back.receive_nothing(timeout=0.3)
    await back.disconnect()


async def test_broadcasts_before_hello_wait_for_it(conversation, customer, pro):
    """A socket that has not said where it is gets nothing (it would not know the start)."""
    communicator, accepted, _ = await socket_for(_path(conversation), pro)
    assert accepted
    await _send(conversation, customer, "Early")
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.send_json_to({"type": "hello", "after": 0})
    assert (await _next(communicator, "message"))["message"]["body"] == "Early"
    await communicator.disconnect()


async def test_rate_limit_is_an_error_frame_and_nothing_is_saved(
    conversation, customer, monkeypatch
):
    monkeypatch.setattr(chat_services, "RATE_LIMIT_MESSAGES", 2)
    mine, _ = await _open(conversation, customer)
    for number in range(2):
        await mine.send_json_to({"type": "send", "body": f"Hi {number}", "ref": number})
        await _next(mine, "sent")
        await _next(mine, "message")
    await mine.send_json_to({"type": "send", "body": "One too many", "ref": 9})
    error = await _next(mine, "error")
    assert (error["code"], error["ref"]) == ("rate_limited", 9)
    assert error["message"] == chat_services.RATE_LIMITED
    assert await _count(conversation) == 2
    await mine.disconnect()


async def test_too_long_and_empty_bodies_are_refused_with_nothing_saved(conversation, customer):
    mine, _ = await _open(conversation, customer)
    await mine.send_json_to({"type": "send", "body": "x" * (MESSAGE_MAX_LENGTH + 1)})
    error = await _next(mine, "error")
    assert error["code"] == "invalid" and f"{MESSAGE_MAX_LENGTH:,}" in error["message"]
    await mine.send_json_to({"type": "send", "body": "   "})
    assert (await _next(mine, "error"))["code"] == "invalid"
    await mine.send_json_to({"type": "send", "body": ["not", "text"]})
    assert (await _next(mine, "error"))["code"] == "invalid"
    assert await _count(conversation) == 0
    await mine.disconnect()


async def test_markup_travels_as_plain_text(conversation, customer, pro):
    body = '<script>alert("hi")</script> & <b>bold</b>'
    mine, _ = await _open(conversation, customer)
    theirs, _ = await _open(conversation, pro)
    await mine.send_json_to({"type": "send", "body": body})
    assert (await _next(theirs, "message"))["message"]["body"] == body  # chat.js: textContent
    stored = await database_sync_to_async(lambda: Message.objects.get().body)()
    assert stored == body
    await mine.disconnect()
    await theirs.disconnect()


async def test_contact_details_are_masked_for_both_until_a_booking_is_accepted(
    conversation, customer, pro, service
):
    body = "Call me on 0412 345 678 or pat@example.com"
    await _send(conversation, customer, body)
    for user in (customer, pro):
        communicator, caught_up = await _open(conversation, user)
        assert HIDDEN in caught_up[0]["body"] and "0412" not in caught_up[0]["body"]
        assert "pat@example.com" not in caught_up[0]["body"]
        assert caught_up[0]["hidden"] is True
        await communicator.disconnect()

    await database_sync_to_async(BookingFactory)(
        service=service, customer=customer, status=Booking.Status.ACCEPTED
    )
    for user in (customer, pro):
        communicator, caught_up = await _open(conversation, user)
        assert caught_up[0]["body"] == body and caught_up[0]["hidden"] is False
        await communicator.disconnect()


async def test_a_block_either_way_refuses_sending_with_nothing_saved(conversation, customer, pro):
    mine, _ = await _open(conversation, customer)
    await database_sync_to_async(Block.objects.create)(blocker=pro, blocked=customer)
    await mine.send_json_to({"type": "send", "body": "Hello?", "ref": "b"})
    error = await _next(mine, "error")
    assert (error["code"], error["message"]) == ("not_allowed", chat_services.rules.BLOCKED)
    assert await _count(conversation) == 0
    await mine.disconnect()


async def test_a_provider_suspended_after_connecting_cannot_send(conversation, pro):
    theirs, _ = await _open(conversation, pro)
    await database_sync_to_async(
        lambda: ProviderProfile.objects.filter(user=pro).update(
            status=ProviderProfile.Status.SUSPENDED
        )
    )()
    await theirs.send_json_to({"type": "send", "body": "Still here"})
    assert (await _next(theirs, "error"))["code"] == "not_allowed"
    assert await _count(conversation) == 0
    await theirs.disconnect()


async def test_typing_reaches_the_other_person_only_and_is_throttled(conversation, customer, pro):
    mine, _ = await _open(conversation, customer)
    theirs, _ = await _open(conversation, pro)
    await mine.send_json_to({"type": "typing"})
    await mine.send_json_to({"type": "typing"})  # within TYPING_EVERY_SECONDS: dropped
    assert await _next(theirs, "typing") == {"type": "typing"}
    assert await theirs.receive_nothing(timeout=0.3)
    assert await mine.receive_nothing(timeout=0.1)
    assert await _count(conversation) == 0  # typing is not stored
    await mine.disconnect()
    await theirs.disconnect()


async def test_read_marks_the_conversation_and_tells_the_sender(conversation, customer, pro):
    for number in range(2):
        await _send(conversation, customer, f"Message {number}")
    mine, _ = await _open(conversation, customer)
    theirs, _ = await _open(conversation, pro)
    await theirs.send_json_to({"type": "read", "seq": 2})
    assert await _next(mine, "read") == {"type": "read", "seq": 2}
    assert await theirs.receive_nothing(timeout=0.3)  # their own read is not news to them
    seq = await database_sync_to_async(
        lambda: Conversation.objects.get(pk=conversation.pk).provider_read_seq
    )()
    assert seq == 2
    await mine.disconnect()
    await theirs.disconnect()


async def test_bad_frames_get_an_error_and_the_socket_stays_open(conversation, customer):
    mine, _ = await _open(conversation, customer)
    for frame in ("not json", json.dumps([1, 2]), json.dumps({"type": "nope"})):
        await mine.send_to(text_data=frame)
        assert (await _next(mine, "error"))["code"] == "invalid"
    for frame in ({"type": "hello", "after": "3"}, {"type": "read", "seq": -1}):
        await mine.send_json_to(frame)
        assert (await _next(mine, "error"))["code"] == "invalid"
    await mine.send_to(text_data="x" * (consumers.MAX_FRAME_CHARS + 1))
    assert (await _next(mine, "error"))["code"] == "invalid"
    await mine.send_json_to({"type": "send", "body": "Still works"})
    assert (await _next(mine, "sent"))["seq"] == 1
    await mine.disconnect()


async def test_header_socket_pushes_the_unread_messages_total(conversation, customer, pro):
    bell, _, _ = await socket_for("/ws/notifications/", pro)
    assert (await _next(bell, "notification"))["unread"] == 0
    assert await _next(bell, "messages_unread") == {"type": "messages_unread", "total": 0}
    await _send(conversation, customer, "Are you free Tuesday?")
    assert await _next(bell, "messages_unread") == {"type": "messages_unread", "total": 1}
    await bell.disconnect()


# --- The broadcast payload: one build per message, no read per socket ----------------------


def _send_quietly(conversation, sender, body: str, monkeypatch) -> Message:
    """Save a message whose broadcast is lost (as when Redis drops it)."""
    with monkeypatch.context() as patch:
        patch.setattr(chat_services.events, "message_created", lambda message: None)
        return chat_services.message_send(conversation=conversation, sender=sender, body=body)


def _consumer_at(conversation, user, sent_seq: int):
    """A ChatConsumer as connect and hello leave it, its frames collected in `.frames`."""
    consumer = consumers.ChatConsumer()
    consumer.user, consumer.conversation, consumer.sent_seq = user, conversation, sent_seq
    consumer.role = chat_services.rules.role_of(conversation=conversation, user=user)
    consumer.frames = []

    async def send_json(content, close=False):
        consumer.frames.append(content)

    consumer.send_json = send_json
    return consumer


def _handle_counting_queries(consumer, event: dict) -> int:
    """Run the consumer's chat.message handler; the queries it made. async_to_sync from this
    thread runs the handler's database calls back on it, so they are captured here."""
    with CaptureQueriesContext(connection) as queries:
        async_to_sync(consumer.chat_message)(event)
    return len(queries)


def _broadcast(message: Message) -> dict:
    return {"type": "chat.message", "seq": message.seq, "payload": broadcast_payload(message)}


async def test_the_broadcast_payload_is_what_each_side_would_read_from_the_database(
    conversation, customer, pro, service
):
    """Masked, with each side's own context link and report link, equal to messages_after's."""

    @database_sync_to_async
    def payloads_both_ways(body, photos=()):
        message = chat_services.message_send(
            conversation=conversation, sender=customer, body=body, about=service, photos=photos
        )
        fresh = Conversation.objects.get(pk=conversation.pk)
        broadcast = broadcast_payload(message)
        for user in (customer, pro):
            role = chat_services.rules.role_of(conversation=fresh, user=user)
            live = viewer_payload(
                broadcast, conversation_id=conversation.pk, viewer_id=user.pk, role=role
            )
            (read,) = messages_after(conversation=fresh, viewer=user, after_seq=message.seq - 1)
            assert live == read.payload()
        return broadcast

    masked = await payloads_both_ways("Call me on 0412 345 678", photos=[png(), png("b.png")])
    assert masked["hidden"] is True and "0412" not in masked["body"]
    assert len(masked["photos"]) == 2
    await database_sync_to_async(BookingFactory)(
        service=service, customer=customer, status=Booking.Status.ACCEPTED
    )
    shown = await payloads_both_ways("Call me on 0412 345 678")
    assert shown["hidden"] is False and shown["body"] == "Call me on 0412 345 678"


async def test_a_delivered_payload_issues_no_query_and_a_gap_falls_back_to_the_database(
    conversation, customer, pro, monkeypatch
):
    @database_sync_to_async
    def check():
        first = _send_quietly(conversation, customer, "One", monkeypatch)
        second = _send_quietly(conversation, customer, "Two", monkeypatch)
        fresh = conversation_for_participant(user=pro, pk=conversation.pk)

        caught_up = _consumer_at(fresh, pro, sent_seq=first.seq)
        assert _handle_counting_queries(caught_up, _broadcast(second)) == 0
        assert [frame["message"]["body"] for frame in caught_up.frames] == ["Two"]
        assert caught_up.frames[0]["message"]["mine"] is False

        # Seq 1 never reached this client: the payload of 2 is not enough; it reads 1 and 2.
        behind = _consumer_at(fresh, pro, sent_seq=0)
        assert _handle_counting_queries(behind, _broadcast(second)) > 0
        assert [frame["message"]["seq"] for frame in behind.frames] == [1, 2]
        # A repeat of what it has sends nothing and reads nothing.
        assert _handle_counting_queries(behind, _broadcast(second)) == 0
        assert len(behind.frames) == 2

    await check()


async def test_a_lost_broadcast_is_caught_up_in_order_on_the_next_one(
    conversation, customer, pro, monkeypatch
):
    theirs, _ = await _open(conversation, pro)
    for body in ("Lost 1", "Lost 2"):
        await database_sync_to_async(_send_quietly)(conversation, customer, body, monkeypatch)
    assert await theirs.receive_nothing(timeout=0.3)
    await _send(conversation, customer, "Arrives")
    received = [(await _next(theirs, "message"))["message"]["body"] for _ in range(3)]
    assert received == ["Lost 1", "Lost 2", "Arrives"]
    assert await theirs.receive_nothing(timeout=0.3)
    await theirs.disconnect()
