from datetime import timedelta

from celery import shared_task


@shared_task
def fraud_scan_daily() -> None:
    """Re-run the fraud rules over the last two days (one day's overlap, so a missed run loses
    nothing); safe to run twice: a second scan raises nothing."""
    from .fraud import fraud_scan

    fraud_scan(since=timedelta(days=2))
