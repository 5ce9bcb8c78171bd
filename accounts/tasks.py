from celery import shared_task

# Expired sessions are cleared by the daily clean-up (cleanup.tasks.cleanup_daily).


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_provider_status_email(*, event_id: int) -> None:
    from .services import provider_status_email_send

    provider_status_email_send(event_id=event_id)


@shared_task
def sweep_unsent_provider_status_emails() -> None:
    """Send status emails whose task was lost (broker down) or failed; safe to run twice."""
    from .services import unsent_provider_status_emails_sweep

    unsent_provider_status_emails_sweep()


@shared_task
def expire_insurance_and_send_notices() -> None:
    """Take the badge off expired policies and warn providers 30 and 7 days before; hourly, so
    each zone's new day is caught soon after midnight (safe to run twice)."""
    from .services import insurance_expired_sweep, insurance_notices_send

    insurance_expired_sweep()
    insurance_notices_send()
