from celery import shared_task


@shared_task
def send_notification_email(*, notification_id: int) -> None:
    """Email one notification, at most once (a failure is left for the sweeper)."""
    from .services import notification_email_send

    notification_email_send(notification_id=notification_id)


@shared_task
def sweep_unsent_notification_emails() -> None:
    """Re-send emails whose task was lost (Redis or worker down) or failed; safe to run twice."""
    from .services import unsent_notification_emails_sweep

    unsent_notification_emails_sweep()
