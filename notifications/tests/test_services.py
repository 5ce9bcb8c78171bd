from datetime import timedelta
from unittest import mock

import pytest
from django.db import connections, transaction
from django.test import override_settings
from django.utils import timezone

from notifications import services
from notifications.models import Notification
from notifications.services import notify
from notifications.tasks import send_notification_email, sweep_unsent_notification_emails

from .factories import NotificationFactory

pytestmark = pytest.mark.django_db

ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


def _age(notification: Notification, minutes: int = 3) -> None:
    Notification.objects.filter(pk=notification.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )


@override_settings(SITE_URL="https://nearhand.example")
def test_notify_records_it_and_emails_once_after_commit(
    customer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = notify(
            recipient=customer,
            kind="booking_requested",
            title="New booking request from Pat",
            body="Pat wants a plumber on Tuesday.",
            url="/bookings/7/",
        )
    assert Notification.objects.get() == notification
    assert notification.read_at is None and notification.email_sent_at is None
    assert mailoutbox == []  # nothing is sent before the caller's transaction commits
    assert len(callbacks) == 1

    callbacks[0]()

    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == [customer.email]
    assert email.subject == "[Nearhand] New booking request from Pat"
    assert "Pat wants a plumber on Tuesday." in email.body
    assert "https://nearhand.example/bookings/7/" in email.body
    assert email.attachments == []
    notification.refresh_from_db()
    assert notification.email_sent_at is not None
    assert notification.email_attempts == 1


def test_nothing_is_queued_when_the_callers_transaction_rolls_back(customer, mailoutbox):
    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        notify(recipient=customer, kind="x", title="Hello", body="", url="/")
        raise Abort
    assert not Notification.objects.exists()
    assert mailoutbox == []


def test_the_calendar_invite_is_attached(customer, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipient=customer,
            kind="booking_accepted",
            title="Booking confirmed",
            body="See you then.",
            url="/bookings/7/",
            ics=ICS,
            ics_filename="nearhand-booking-7.ics",
        )
    (attachment,) = mailoutbox[0].attachments
    assert attachment == ("nearhand-booking-7.ics", ICS, "text/calendar")
    assert "text/calendar" in mailoutbox[0].message().as_string()


def test_sending_twice_sends_nothing_twice(mailoutbox):
    notification = NotificationFactory()
    assert services.notification_email_send(notification_id=notification.pk) is True
    assert services.notification_email_send(notification_id=notification.pk) is False
    send_notification_email.delay(notification_id=notification.pk)
    assert len(mailoutbox) == 1
    notification.refresh_from_db()
    assert notification.email_attempts == 1


def test_a_missing_notification_sends_nothing(mailoutbox):
    assert services.notification_email_send(notification_id=987654) is False
    assert mailoutbox == []


def test_a_failed_send_is_recorded_and_left_for_the_sweeper(mailoutbox):
    notification = NotificationFactory()
    with mock.patch(
        "django.core.mail.EmailMessage.send", side_effect=OSError("SMTP server unreachable")
    ):
        assert services.notification_email_send(notification_id=notification.pk) is False
    notification.refresh_from_db()
    assert notification.email_sent_at is None
    assert notification.email_attempts == 1
    assert "SMTP server unreachable" in notification.email_last_error

    _age(notification)
    assert sweep_unsent_notification_emails.delay().successful()
    assert len(mailoutbox) == 1
    notification.refresh_from_db()
    assert notification.email_sent_at is not None
    assert notification.email_attempts == 2
    assert notification.email_last_error == ""


class _ProcessKilled(BaseException):
    """What the process sees of a SIGKILL in the middle of a send: nothing after it runs,
    and its open transaction is rolled back."""


def test_a_send_that_kills_its_process_counts_as_an_attempt_and_stops_after_five(mailoutbox):
    # A redelivered task (CELERY_TASK_REJECT_ON_WORKER_LOST) would otherwise loop forever.
    notification = NotificationFactory()
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=_ProcessKilled) as send:
        for _ in range(services.EMAIL_MAX_ATTEMPTS):
            with pytest.raises(_ProcessKilled):
                services.notification_email_send(notification_id=notification.pk)
        assert services.notification_email_send(notification_id=notification.pk) is False
    assert send.call_count == services.EMAIL_MAX_ATTEMPTS
    notification.refresh_from_db()
    assert notification.email_sent_at is None
    assert notification.email_attempts == services.EMAIL_MAX_ATTEMPTS


def test_the_sweeper_sends_a_notification_whose_task_never_ran_once(
    customer, mailoutbox, django_capture_on_commit_callbacks
):
    # As if Redis were down: the row commits, but queuing its task fails (quietly).
    with (
        mock.patch(
            "notifications.tasks.send_notification_email.delay", side_effect=OSError
        ) as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        notification = notify(recipient=customer, kind="x", title="Hi", body="", url="/")
    delay.assert_called_once()
    assert Notification.objects.filter(pk=notification.pk).exists()
    assert mailoutbox == []

    assert services.unsent_notification_emails_sweep() == 0  # too young: its task may be queued
    _age(notification)
    sweep_unsent_notification_emails()
    sweep_unsent_notification_emails()

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [customer.email]


def test_the_sweeper_gives_up_after_five_attempts(mailoutbox):
    notification = NotificationFactory(email_attempts=services.EMAIL_MAX_ATTEMPTS)
    _age(notification)
    assert services.unsent_notification_emails_sweep() == 0
    assert mailoutbox == []


@pytest.mark.django_db(transaction=True)
def test_a_row_another_worker_is_sending_is_skipped_not_waited_for(mailoutbox):
    notification = NotificationFactory()
    other = connections.create_connection("default")  # as if a second worker
    try:
        other.set_autocommit(False)
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM notifications_notification WHERE id = %s FOR UPDATE",
                [notification.pk],
            )
        assert services.notification_email_send(notification_id=notification.pk) is False
        other.rollback()
    finally:
        other.close()
    assert mailoutbox == []
    assert services.notification_email_send(notification_id=notification.pk) is True


def test_opening_marks_read_only_for_the_recipient(customer, provider):
    notification = NotificationFactory(recipient=customer)
    assert services.notification_open(user=provider, notification_id=notification.pk) is None
    notification.refresh_from_db()
    assert notification.read_at is None

    opened = services.notification_open(user=customer, notification_id=notification.pk)
    assert opened == notification and opened.read_at is not None
    first_read = opened.read_at
    again = services.notification_open(user=customer, notification_id=notification.pk)
    assert again.read_at == first_read


def test_mark_all_read_touches_only_the_users_unread(customer, provider):
    NotificationFactory.create_batch(3, recipient=customer)
    NotificationFactory(recipient=customer, read_at=timezone.now())
    theirs = NotificationFactory(recipient=provider)
    assert services.notifications_mark_all_read(user=customer) == 3
    assert not Notification.objects.filter(recipient=customer, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
