"""Sending, reading, blocking and reporting: what is saved, what is refused, what is told."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from accounts.models import ProviderProfile
from chat import services
from chat.models import MESSAGE_MAX_LENGTH, Block, Message, MessagePhoto
from chat.tests.factories import png
from marketplace.errors import Invalid, NotAllowed, WrongState


def send(conversation, sender, body="Hello", **kwargs):
    return services.message_send(conversation=conversation, sender=sender, body=body, **kwargs)


def test_seq_counts_per_conversation_and_the_sender_has_read_it(conversation, customer, pro):
    first = send(conversation, customer, "Is Tuesday fine?")
    second = send(conversation, pro, "Tuesday works.")
    assert (first.seq, second.seq) == (1, 2)
    conversation.refresh_from_db()
    assert conversation.last_seq == 2
    assert conversation.last_message_at == second.created_at or conversation.last_message_at
    assert (conversation.customer_read_seq, conversation.provider_read_seq) == (1, 2)


def test_the_message_is_announced_only_after_commit(
    conversation, customer, django_capture_on_commit_callbacks
):
    with mock.patch("chat.events.message_created") as announced:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            message = send(conversation, customer)
        assert not announced.called
        for callback in callbacks:
            callback()
    announced.assert_called_once_with(message)


def test_body_is_stored_as_typed_without_control_characters(conversation, customer):
    message = send(conversation, customer, "  <script>alert(1)</script>\r\nline\x00two\x07 ")
    assert message.body == "<script>alert(1)</script>\nlinetwo"


@pytest.mark.parametrize("body", ["", "   ", "\x00\x01"])
def test_an_empty_message_is_refused(conversation, customer, body):
    with pytest.raises(Invalid) as error:
        send(conversation, customer, body)
    assert "body" in error.value.fields
    assert not Message.objects.exists()


def test_a_message_too_long_is_refused(conversation, customer):
    with pytest.raises(Invalid, match="at most"):
        send(conversation, customer, "x" * (MESSAGE_MAX_LENGTH + 1))
    send(conversation, customer, "x" * MESSAGE_MAX_LENGTH)


def test_photos_are_reencoded_and_stored_under_random_names(conversation, customer):
    message = send(conversation, customer, "", photos=[png(), png("b.png")])
    photos = list(message.photos.all())
    assert len(photos) == 2
    for photo in photos:
        assert photo.image.name.startswith("chat/") and photo.image.name.endswith(".jpg")
        assert "b.png" not in photo.image.name
        assert default_storage.exists(photo.thumbnail.name)
    assert photos[0].key != photos[1].key


def test_at_most_four_photos(conversation, customer):
    with pytest.raises(Invalid, match="at most 4"):
        send(conversation, customer, photos=[png() for _ in range(5)])
    assert not MessagePhoto.objects.exists()


def test_a_bad_photo_saves_nothing(conversation, customer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("invoice.pdf", b"%PDF-1.4 nothing", content_type="application/pdf")
    with pytest.raises(Invalid) as error:
        send(conversation, customer, photos=[png(), bad])
    assert "photos" in error.value.fields
    assert not Message.objects.exists()


def test_a_failed_save_deletes_the_stored_files(conversation, customer):
    failing = mock.patch.object(
        MessagePhoto.objects, "bulk_create", side_effect=RuntimeError("boom")
    )
    with failing, pytest.raises(RuntimeError):
        send(conversation, customer, photos=[png()])
    assert not default_storage.listdir("chat")[1]


def test_outsiders_cannot_send(conversation, stranger):
    with pytest.raises(NotAllowed):
        send(conversation, stranger)


def test_the_context_must_belong_to_the_pair(conversation, customer):
    from listings.tests.factories import ServiceFactory

    with pytest.raises(NotAllowed):
        send(conversation, customer, about=ServiceFactory())
    message = send(conversation, customer, about=conversation.provider.services.first())
    assert message.service_id is not None


def test_rate_limit_refuses_a_burst_and_saves_nothing(conversation, customer):
    now = timezone.now()
    for _ in range(services.RATE_LIMIT_MESSAGES):
        send(conversation, customer, now=now)
    with pytest.raises(Invalid) as error:
        send(conversation, customer, now=now)
    assert error.value.code == "rate_limited"
    assert Message.objects.count() == services.RATE_LIMIT_MESSAGES


def test_rate_limit_holds_in_postgres_while_redis_is_down(conversation, customer):
    for _ in range(services.RATE_LIMIT_MESSAGES):
        send(conversation, customer)
    # The degrading cache answers incr with None while Redis does not answer.
    redis_down = mock.patch("chat.services.cache.incr", return_value=None)
    with redis_down, pytest.raises(Invalid) as error:
        send(conversation, customer)
    assert error.value.code == "rate_limited"


def test_rate_limit_without_redis_lets_a_quiet_user_send(conversation, customer):
    with mock.patch("chat.services.cache.incr", return_value=None):
        send(conversation, customer)
    # Last minute's messages only: an hour ago does not count.
    Message.objects.update(created_at=timezone.now() - timedelta(hours=1))
    with mock.patch("chat.services.cache.incr", return_value=None):
        for _ in range(services.RATE_LIMIT_MESSAGES):
            send(conversation, customer)


def test_block_stops_messages_both_ways_until_lifted(conversation, customer, pro):
    services.user_block(blocker=customer, blocked=pro)
    services.user_block(blocker=customer, blocked=pro)  # twice is one block
    assert Block.objects.count() == 1
    for sender in (customer, pro):
        with pytest.raises(NotAllowed, match="blocked"):
            send(conversation, sender)
    assert services.user_unblock(blocker=customer, blocked=pro)
    send(conversation, pro)


def test_the_blocked_cannot_lift_the_block(conversation, customer, pro):
    services.user_block(blocker=customer, blocked=pro)
    assert not services.user_unblock(blocker=pro, blocked=customer)
    with pytest.raises(NotAllowed):
        send(conversation, pro)


def test_nobody_blocks_themselves(customer):
    with pytest.raises(NotAllowed):
        services.user_block(blocker=customer, blocked=customer)


def test_a_suspended_provider_cannot_send_nor_be_written_to(conversation, customer, pro):
    ProviderProfile.objects.filter(pk=conversation.provider_id).update(status="suspended")
    conversation.provider.refresh_from_db()
    with pytest.raises(NotAllowed, match="suspended"):
        send(conversation, pro)
    with pytest.raises(WrongState):
        send(conversation, customer)


def test_an_inactive_user_cannot_send(conversation, customer):
    customer.is_active = False
    customer.save()
    with pytest.raises(NotAllowed):
        send(conversation, customer)


def test_mark_read_moves_forward_only_and_not_past_the_end(
    conversation, customer, pro, django_capture_on_commit_callbacks
):
    for _ in range(3):
        send(conversation, pro)
    with mock.patch("chat.events.conversation_read") as told:
        with django_capture_on_commit_callbacks(execute=True):
            assert (
                services.conversation_mark_read(
                    conversation=conversation, reader=customer, up_to_seq=2
                )
                == 2
            )
        told.assert_called_once_with(conversation.pk, customer.pk, 2)
        with django_capture_on_commit_callbacks(execute=True):
            assert (
                services.conversation_mark_read(
                    conversation=conversation, reader=customer, up_to_seq=1
                )
                == 2
            )
            assert (
                services.conversation_mark_read(
                    conversation=conversation, reader=customer, up_to_seq=10**12
                )
                == 3
            )
    assert told.call_count == 2
    conversation.refresh_from_db()
    assert conversation.customer_read_seq == 3


def test_outsiders_cannot_mark_read(conversation, stranger):
    with pytest.raises(NotAllowed):
        services.conversation_mark_read(conversation=conversation, reader=stranger, up_to_seq=1)


def test_report_anothers_message_once(conversation, customer, pro):
    message = send(conversation, pro, "Pay me in cash")
    report = services.message_report(message=message, reporter=customer, reason="Off platform")
    again = services.message_report(message=message, reporter=customer, reason="Again")
    assert report.pk == again.pk
    with pytest.raises(NotAllowed):
        services.message_report(message=message, reporter=pro, reason="mine")
    with pytest.raises(Invalid):
        services.message_report(message=message, reporter=customer, reason="  ")


def test_outsiders_cannot_report(conversation, pro, stranger):
    message = send(conversation, pro)
    with pytest.raises(NotAllowed):
        services.message_report(message=message, reporter=stranger, reason="spam")


@pytest.mark.parametrize("body", [None, 42, {"text": "hi"}, ["hi"]])
def test_a_body_that_is_no_text_is_refused(conversation, customer, body):
    """What a socket client sends may be any JSON: a clear refusal, never a crash."""
    with pytest.raises(Invalid) as error:
        send(conversation, customer, body)
    assert "body" in error.value.fields
    assert not Message.objects.exists()


@pytest.mark.parametrize("seq", ["3", None, 1.5, True])
def test_mark_read_refuses_a_seq_that_is_no_whole_number(conversation, customer, seq):
    with pytest.raises(Invalid):
        services.conversation_mark_read(conversation=conversation, reader=customer, up_to_seq=seq)


def test_mark_read_with_a_huge_or_negative_seq(conversation, customer, pro):
    send(conversation, pro)
    assert (
        services.conversation_mark_read(conversation=conversation, reader=customer, up_to_seq=-5)
        == 0
    )
    assert (
        services.conversation_mark_read(
            conversation=conversation, reader=customer, up_to_seq=10**30
        )
        == 1
    )
