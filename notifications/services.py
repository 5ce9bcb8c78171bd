"""Notifications: record one in the caller's transaction, email it once, re-send what was lost."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import User
from marketplace.cleanup import delete_in_batches
from marketplace.live import group_send, user_group
from marketplace.queueing import enqueue

from .models import Notification

logger = logging.getLogger(__name__)

# After this many failed sends the sweeper gives up (the error stays on the row for support).
EMAIL_MAX_ATTEMPTS = 5
# A notification whose task has not sent it within this long is presumed lost and re-sent.
EMAIL_SWEEP_AFTER = timedelta(minutes=2)
EMAIL_SWEEP_BATCH = 200


def notify(
    *,
    recipient: User,
    kind: str,
    title: str,
    body: str,
    url: str,
    ics: str = "",
    ics_filename: str = "",
) -> Notification:
    """Record an in-app notification and queue its email, in the caller's transaction."""
    notification = Notification.objects.create(
        recipient=recipient,
        kind=kind[:40],
        title=" ".join(title.split())[:200],
        body=body,
        url=url[:500],
        ics=ics,
        ics_filename=(ics_filename or ("invite.ics" if ics else ""))[:100],
    )
    transaction.on_commit(
        lambda: _after_commit(notification_id=notification.pk, recipient_id=recipient.pk),
        robust=True,
    )
    return notification


def _after_commit(*, notification_id: int, recipient_id: int) -> None:
    _email_queue(notification_id=notification_id)
    _live_announce(notification_id=notification_id, recipient_id=recipient_id)


def _email_queue(*, notification_id: int) -> None:
    from .tasks import send_notification_email

    # A broker that is down costs no error and little time; the sweeper sends it later.
    enqueue(send_notification_email, notification_id=notification_id)


def _live_announce(*, notification_id: int, recipient_id: int) -> None:
    """Tell the recipient's open pages (the bell); the row is the record and the next page
    shows it, so a channel layer that is down is logged by marketplace.live, never raised."""
    group_send(user_group(recipient_id), {"type": "notification.created", "id": notification_id})


def notification_email_send(*, notification_id: int) -> bool:
    """Email one notification unless it went already; returns whether an email went out.

    The task, a redelivery of it and the sweeper may all try the same notification, at the same
    time. Each try first counts an attempt and commits it, so a notification whose sending
    kills the worker (and is redelivered, settings.CELERY_TASK_REJECT_ON_WORKER_LOST) is tried
    at most EMAIL_MAX_ATTEMPTS times. It then sends under the row's lock, skipping a row another
    process holds (that one is sending it), and stamps `email_sent_at` in the same transaction.

    What this guarantees: never two sends at once, and never a second send once `email_sent_at`
    is committed. What it cannot: a process that dies after the mail server took the message
    and before that commit (a few milliseconds) leaves the row unsent, and it is sent again, so
    the promise is "at least once, twice only across that crash", as with any outbox that
    talks to SMTP. A failure to send is recorded on the row, not raised.
    """
    if not _email_attempt_count(notification_id=notification_id):
        return False
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id, email_sent_at__isnull=True)
            .first()
        )
        if notification is None:
            return False  # sent meanwhile, or being sent by another process now
        try:
            _email_message(notification=notification).send()
        except Exception as error:
            logger.warning("Email for notification %s failed: %r", notification.pk, error)
            notification.email_last_error = repr(error)[:2000]
            notification.save(update_fields=["email_last_error"])
            return False
        notification.email_sent_at = timezone.now()
        notification.email_last_error = ""
        notification.save(update_fields=["email_last_error", "email_sent_at"])
    return True


def _email_attempt_count(*, notification_id: int) -> bool:
    """Count one attempt at the notification's email, committed before it is sent; False when
    it went already, has had its attempts, or another process is sending it now."""
    with transaction.atomic():
        claimable = Notification.objects.select_for_update(skip_locked=True).filter(
            pk=notification_id,
            email_sent_at__isnull=True,
            email_attempts__lt=EMAIL_MAX_ATTEMPTS,
        )
        if claimable.values_list("pk", flat=True).first() is None:
            return False
        Notification.objects.filter(pk=notification_id).update(
            email_attempts=F("email_attempts") + 1
        )
    return True


def _email_message(*, notification: Notification) -> EmailMessage:
    link = settings.SITE_URL.rstrip("/") + notification.url if notification.url else ""
    message = EmailMessage(
        subject=f"[Nearhand] {notification.title}",
        body=render_to_string(
            "notifications/email/notification.txt",
            {"notification": notification, "link": link},
        ),
        to=[notification.recipient.email],
    )
    if notification.ics:
        message.attach(notification.ics_filename or "invite.ics", notification.ics, "text/calendar")
    return message


def unsent_notification_emails_sweep(*, now=None) -> int:
    """Send the emails whose task never ran or failed; returns how many went out."""
    cutoff = (now or timezone.now()) - EMAIL_SWEEP_AFTER
    pending = list(
        Notification.objects.filter(
            email_sent_at__isnull=True,
            email_attempts__lt=EMAIL_MAX_ATTEMPTS,
            created_at__lt=cutoff,
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:EMAIL_SWEEP_BATCH]
    )
    return sum(notification_email_send(notification_id=pk) for pk in pending)


def notification_open(*, user: User, notification_id: int) -> Notification | None:
    """Mark one of the user's notifications read; None when it is not theirs (or not there)."""
    with transaction.atomic():
        notification = Notification.objects.filter(pk=notification_id, recipient=user).first()
        if notification is None:
            return None
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of the user read; returns how many changed."""
    with transaction.atomic():
        return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
            read_at=timezone.now()
        )


def notifications_read_purge(
    *, read_before: datetime, batch_size: int, dry_run: bool = False
) -> int:
    """Delete the notifications read before `read_before` (unread ones stay, however old);
    returns how many."""
    old = Notification.objects.filter(read_at__lt=read_before)
    return delete_in_batches(old, batch_size=batch_size, dry_run=dry_run)
