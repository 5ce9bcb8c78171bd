"""The unread-message email: one per conversation and burst, after 10 minutes, through the
notification outbox, masked, and once only however many runs race."""

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from chat import notifications as chat_notifications
from chat import services
from chat.masking import HIDDEN
from chat.models import Message, UnreadEmail
from chat.notifications import UNREAD_EMAIL_AFTER, unread_message_emails_send
from chat.tasks import send_unread_message_emails
from marketplace.testing import database_pool
from notifications.models import Notification

pytestmark = pytest.mark.django_db

LATER = UNREAD_EMAIL_AFTER + timedelta(minutes=1)


def _burst(conversation, sender, count: int, text: str = "Are you free on Tuesday?"):
    for number in range(1, count + 1):
        services.message_send(conversation=conversation, sender=sender, body=f"{text} ({number})")


def _sweep(django_capture_on_commit_callbacks, *, after: timedelta = LATER) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return unread_message_emails_send(now=timezone.now() + after)


@override_settings(SITE_URL="https://nearhand.example")
def test_a_burst_of_five_messages_is_one_email_with_a_link_back(
    conversation, customer, pro, mailoutbox, django_capture_on_commit_callbacks
):
    _burst(conversation, customer, 5)

    assert _sweep(django_capture_on_commit_callbacks) == 1

    notification = Notification.objects.get()
    assert notification.recipient == pro
    assert notification.kind == "chat_unread"
    assert notification.title == "5 unread messages from Casey Customer"
    assert notification.url == conversation.get_absolute_url()
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == [pro.email]
    assert "https://nearhand.example" + conversation.get_absolute_url() in email.body
    assert "Casey Customer: Are you free on Tuesday? (5)" in email.body
    # Nothing more for the same burst, however often beat runs.
    assert _sweep(django_capture_on_commit_callbacks) == 0
    assert len(mailoutbox) == 1


def test_nobody_is_emailed_before_ten_minutes(
    conversation, customer, mailoutbox, django_capture_on_commit_callbacks
):
    _burst(conversation, customer, 3)

    assert _sweep(django_capture_on_commit_callbacks, after=timedelta(minutes=9)) == 0
    assert Notification.objects.count() == 0 and mailoutbox == []


def test_nobody_is_emailed_about_what_they_have_read(
    conversation, customer, pro, mailoutbox, django_capture_on_commit_callbacks
):
    _burst(conversation, customer, 3)
    services.conversation_mark_read(conversation=conversation, reader=pro, up_to_seq=3)

    assert _sweep(django_capture_on_commit_callbacks) == 0
    # The sender's own messages are read by them: nobody was emailed.
    assert mailoutbox == []


def test_a_new_burst_after_reading_is_a_second_email(
    conversation, customer, pro, mailoutbox, django_capture_on_commit_callbacks
):
    _burst(conversation, customer, 2)
    assert _sweep(django_capture_on_commit_callbacks) == 1
    # More while still away: the first email stands for them (no email per message).
    _burst(conversation, customer, 1, "Hello?")
    assert _sweep(django_capture_on_commit_callbacks) == 0

    services.conversation_mark_read(conversation=conversation, reader=pro, up_to_seq=3)
    _burst(conversation, customer, 2, "One more thing")
    assert _sweep(django_capture_on_commit_callbacks, after=timedelta(minutes=9)) == 0
    assert _sweep(django_capture_on_commit_callbacks) == 1

    assert len(mailoutbox) == 2
    assert Notification.objects.first().title == "2 unread messages from Casey Customer"
    assert UnreadEmail.objects.get(recipient=pro).notified_seq == 5


def test_the_customer_is_emailed_about_the_providers_reply_with_the_latest_five(
    conversation, customer, pro, mailoutbox, django_capture_on_commit_callbacks
):
    _burst(conversation, customer, 1)
    services.conversation_mark_read(conversation=conversation, reader=pro, up_to_seq=1)
    _burst(conversation, pro, 7, "Yes")

    assert _sweep(django_capture_on_commit_callbacks) == 1

    notification = Notification.objects.get()
    business = conversation.provider.business_name
    assert (notification.recipient, notification.title) == (
        customer,
        f"7 unread messages from {business}",
    )
    body = mailoutbox[0].body
    assert "The last 5 of them:" in body
    assert "Yes (3)" in body and "Yes (7)" in body and "Yes (2)" not in body


def test_contact_details_are_masked_and_markup_is_text_in_the_email_and_the_page(
    client, conversation, customer, pro, mailoutbox, django_capture_on_commit_callbacks
):
    services.message_send(
        conversation=conversation,
        sender=customer,
        body="Call 0412 345 678 or casey@example.com <script>alert(1)</script>",
    )

    _sweep(django_capture_on_commit_callbacks)

    body = mailoutbox[0].body
    assert HIDDEN in body
    assert "0412" not in body and "casey@example.com" not in body
    assert "<script>alert(1)</script>" in body  # a plain-text email: as typed, never run
    client.force_login(pro)
    page = client.get(reverse("notifications_list")).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page and "0412" not in page


def test_the_beat_task_sends_what_has_waited(
    conversation, customer, mailoutbox, django_capture_on_commit_callbacks
):
    assert "chat.tasks.send_unread_message_emails" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    _burst(conversation, customer, 2)
    Message.objects.update(created_at=timezone.now() - LATER)

    with django_capture_on_commit_callbacks(execute=True):
        send_unread_message_emails.delay()

    assert len(mailoutbox) == 1


RUNS = 2


@pytest.mark.django_db(transaction=True)
def test_runs_at_the_same_moment_send_one_email(
    conversation, customer, pro, mailoutbox, monkeypatch
):
    """Both runs find the conversation due; each then waits, once it has decided to send,
    for the other to decide too. Without the row lock both decide "send" and meet (two
    emails); with it the second waits for the first to commit, the meeting is called off,
    and the second sees what the first recorded."""
    _burst(conversation, customer, 5)
    # Its row exists already (as after an earlier email), so the unique insert of a first
    # email, which makes a second run wait too, is not what keeps it to one here.
    UnreadEmail.objects.create(conversation=conversation, recipient=pro)
    start = threading.Barrier(RUNS, timeout=30)
    decided = threading.Barrier(RUNS, timeout=2)
    real_messages_after = chat_notifications.messages_after

    def messages_after_both_decided(**kwargs):
        # Broken when the other run is waiting for our lock: then there is no race to lose.
        with contextlib.suppress(threading.BrokenBarrierError):
            decided.wait()
        return real_messages_after(**kwargs)

    monkeypatch.setattr(chat_notifications, "messages_after", messages_after_both_decided)

    def run(_):
        try:
            start.wait()
            return unread_message_emails_send(now=timezone.now() + LATER)
        finally:
            connection.close()

    with database_pool(max_size=RUNS + 1), ThreadPoolExecutor(max_workers=RUNS) as pool:
        sent = list(pool.map(run, range(RUNS)))

    assert sorted(sent) == [0, 1]
    assert Notification.objects.filter(recipient=pro).count() == 1
    assert len(mailoutbox) == 1
    assert UnreadEmail.objects.get().notified_seq == 5
