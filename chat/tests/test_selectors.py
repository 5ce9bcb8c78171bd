"""The reads: who sees a conversation, the message payload, masking, read state, unread."""

import json

import pytest

from bookings.models import Booking
from bookings.tests.factories import BookingFactory
from chat import selectors, services
from chat.masking import HIDDEN
from chat.tests.factories import png
from marketplace.params import MAX_ID


def send(conversation, sender, body="Hello", **kwargs):
    return services.message_send(conversation=conversation, sender=sender, body=body, **kwargs)


def test_only_participants_get_the_conversation(conversation, customer, pro, stranger):
    assert selectors.conversation_for_participant(user=customer, pk=conversation.pk)
    assert selectors.conversation_for_participant(user=pro, pk=conversation.pk)
    assert selectors.conversation_for_participant(user=stranger, pk=conversation.pk) is None
    assert selectors.conversation_for_participant(user=customer, pk=MAX_ID + 1) is None
    assert selectors.conversation_for_participant(user=customer, pk=0) is None


def test_payload_shape_and_order(conversation, customer, pro, service):
    send(conversation, customer, "<script>alert(1)</script>", about=service)
    send(conversation, pro, "", photos=[png()])
    views = selectors.messages_after(conversation=conversation, viewer=customer)
    first, second = (view.payload() for view in views)
    assert [first["seq"], second["seq"]] == [1, 2]
    assert first["mine"] and not second["mine"]
    assert first["body"] == "<script>alert(1)</script>"  # plain text: escaped by who renders it
    assert first["context"] == {
        "kind": "listing",
        "label": "Listing: Switchboard upgrade",
        "url": service.get_absolute_url(),
    }
    assert second["context"] is None
    assert second["photos"][0]["full_url"].startswith("/messages/photos/")
    assert first["created_at"].startswith(str(first["created_at"][:4]))
    assert first["created_label"]
    json.dumps(first)  # what the socket sends


def test_messages_after_a_seq(conversation, customer):
    for n in range(5):
        send(conversation, customer, f"m{n}")
    views = selectors.messages_after(conversation=conversation, viewer=customer, after_seq=3)
    assert [view.payload()["body"] for view in views] == ["m3", "m4"]
    limited = selectors.messages_after(conversation=conversation, viewer=customer, limit=2)
    assert [view.message.seq for view in limited] == [1, 2]


def test_outsiders_get_no_messages(conversation, customer, stranger):
    send(conversation, customer)
    assert selectors.messages_after(conversation=conversation, viewer=stranger) == []


def test_queries_do_not_grow_with_messages(
    conversation, customer, service, django_assert_num_queries
):
    for _ in range(3):
        send(conversation, customer, about=service, photos=[png()])
    # messages (+ context), photos, the confirmed-booking check
    with django_assert_num_queries(3):
        [
            view.payload()
            for view in selectors.messages_after(conversation=conversation, viewer=customer)
        ]


@pytest.mark.parametrize("status", [Booking.Status.PENDING, Booking.Status.DECLINED])
def test_contact_details_are_masked_before_a_confirmed_booking(
    conversation, customer, pro, service, status
):
    BookingFactory(service=service, customer=customer, status=status)
    send(conversation, customer, "Call me on 0412 345 678 or casey@example.com")
    for viewer in (customer, pro):
        payload = selectors.messages_after(conversation=conversation, viewer=viewer)[0].payload()
        assert payload["body"] == f"Call me on {HIDDEN} or {HIDDEN}"
        assert payload["hidden"]


@pytest.mark.parametrize("status", [Booking.Status.ACCEPTED, Booking.Status.COMPLETED])
def test_contact_details_show_as_typed_after_acceptance(
    conversation, customer, pro, service, status
):
    message = send(conversation, customer, "Call me on 0412 345 678")
    BookingFactory(service=service, customer=customer, status=status)
    payload = selectors.messages_after(conversation=conversation, viewer=pro)[0].payload()
    assert payload["body"] == message.body == "Call me on 0412 345 678"
    assert not payload["hidden"]


def test_read_state_and_unread_total(conversation, customer, pro, service):
    from listings.tests.factories import ServiceFactory

    other = services.conversation_open(user=customer, provider=ServiceFactory().provider)
    send(conversation, pro, "a")
    send(conversation, pro, "b")
    send(other, other.provider.user, "c")
    assert selectors.unread_total(user=customer) == 3
    assert selectors.unread_total(user=pro) == 0
    assert selectors.read_state(conversation=conversation, viewer=pro) == {"other_read_seq": 0}
    services.conversation_mark_read(conversation=conversation, reader=customer, up_to_seq=2)
    assert selectors.unread_total(user=customer) == 1
    assert selectors.read_state(conversation=conversation, viewer=pro) == {"other_read_seq": 2}
    send(conversation, customer, "thanks")
    assert selectors.unread_total(user=pro) == 1


def test_unread_total_is_one_query(customer, conversation, django_assert_num_queries):
    with django_assert_num_queries(1):
        selectors.unread_total(user=customer)


def test_photos_only_for_participants(conversation, customer, pro, stranger):
    photo = send(conversation, customer, photos=[png()]).photos.get()
    assert selectors.photo_for_participant(user=pro, key=photo.key) == photo
    assert selectors.photo_for_participant(user=stranger, key=photo.key) is None


@pytest.mark.parametrize(
    ("after_seq", "limit", "expected"),
    [(-10, 200, 3), (10**30, 200, 0), (0, 10**30, 3), (0, -1, 0), (1, 1, 1)],
)
def test_messages_after_takes_any_numbers(conversation, customer, after_seq, limit, expected):
    """The socket passes what a client sent: out-of-range numbers are no error."""
    for _ in range(3):
        send(conversation, customer)
    views = selectors.messages_after(
        conversation=conversation, viewer=customer, after_seq=after_seq, limit=limit
    )
    assert len(views) == expected


def test_times_read_like_the_rest_of_the_site_in_the_conversations_city(
    conversation, customer, client
):
    """ "2 Dec, 12:30 pm" as marketplace.times writes clocks (not Django's "p.m."), in the
    provider's city, on the conversation page and in the inbox alike."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from chat.models import Message

    send(conversation, customer, "Hello")
    moment = datetime(2026, 12, 2, 1, 30, tzinfo=UTC)
    Message.objects.filter(conversation=conversation).update(created_at=moment)
    type(conversation).objects.filter(pk=conversation.pk).update(last_message_at=moment)
    zone = ZoneInfo(conversation.provider.base_city.timezone)
    local = moment.astimezone(zone)
    expected = (
        f"{local.day} {local:%b}, {local.hour % 12 or 12}:30 {'am' if local.hour < 12 else 'pm'}"
    )
    (view,) = selectors.messages_after(conversation=conversation, viewer=customer)
    assert view.payload()["created_label"] == expected
    client.force_login(customer)
    assert expected in client.get("/messages/").text
