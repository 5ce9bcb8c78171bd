"""Beat tasks: thin, safe to run twice (each booking is handled under its row lock)."""

import logging

from celery import shared_task
from django.conf import settings

from marketplace.errors import DomainError

from . import selectors, services
from .models import Booking

logger = logging.getLogger(__name__)


@shared_task
def expire_stale_booking_requests() -> int:
    """Requests not answered within BOOKING_REQUEST_EXPIRY_HOURS (or whose time passed) expire."""
    expired = 0
    for pk in selectors.stale_request_ids(hours=settings.BOOKING_REQUEST_EXPIRY_HOURS):
        try:
            services.booking_expire(booking=Booking(pk=pk))
        except DomainError:
            continue  # answered meanwhile
        expired += 1
    return expired


@shared_task
def send_booking_reminders() -> int:
    """Remind both sides of each confirmed booking starting within the next 24 hours, once."""
    sent = 0
    for pk in selectors.reminder_due_ids(hours=settings.BOOKING_REMINDER_HOURS):
        if services.booking_reminder_send(booking_id=pk):
            sent += 1
    return sent
