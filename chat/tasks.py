from celery import shared_task


@shared_task
def send_unread_message_emails() -> None:
    """Beat, every 2 minutes: one email per conversation whose messages have waited unread
    for 10 minutes (safe to run twice at once: chat.notifications decides under row locks)."""
    from .notifications import unread_message_emails_send

    unread_message_emails_send()
