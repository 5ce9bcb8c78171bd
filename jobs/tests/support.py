"""Helpers the job tests share (the fixtures are in conftest.py)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from jobs import services as job_services


def start_at(days: int = 5, hour: int = 1) -> datetime:
    """A whole hour `days` ahead; 01:00 UTC is late morning in Sydney, the same local date."""
    return datetime.now(UTC).replace(hour=hour, minute=0, second=0, microsecond=0) + timedelta(
        days=days
    )


def send_quote(job, provider, price="180", start=None, **kwargs):
    return job_services.quote_send(
        job=job, provider=provider, price=Decimal(price), start=start or start_at(), **kwargs
    )
