"""No double booking: the provider lock, the re-check, and lost races as SlotTaken.

Whatever writes a booking's time (a new booking, an accepted quote, an accepted new time) runs
inside `slot_guard()` and a transaction: it calls `provider_lock()` first, then checks
`period_taken()`, then writes. The exclusion constraint `booking_no_overlap` is the last
guarantee; a constraint hit, a lock timeout or a deadlock becomes SlotTaken (HTTP 409).
(pretix locks the same way: lock what becomes scarcer, once, late, then check, then write.)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection

from accounts.models import ProviderProfile
from marketplace.errors import Conflict

from .models import Booking

SLOT_TAKEN_MESSAGE = "That slot was just taken. Please pick another time."
MOVED_SLOT_TAKEN = "That new time is no longer free. Please propose another time."
# PostgreSQL error codes that mean "someone else got there first".
_RACE_SQLSTATES = {
    "23P01",  # exclusion_violation: the overlap constraint refused the row
    "55P03",  # lock_not_available: lock_timeout passed while waiting for the provider row
    "40P01",  # deadlock_detected
    "40001",  # serialization_failure
}


class SlotTaken(Conflict):
    """Another booking holds this time (or we could not make sure it does not)."""

    code = "slot_taken"

    def __init__(self, message: str = SLOT_TAKEN_MESSAGE) -> None:
        super().__init__(message)


def provider_lock(provider_id: int) -> ProviderProfile:
    """Lock the provider's row until the transaction ends, waiting at most
    BOOKING_LOCK_TIMEOUT_MS (then PostgreSQL refuses, and slot_guard says the slot is taken)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = {int(settings.BOOKING_LOCK_TIMEOUT_MS)}")
    return ProviderProfile.objects.select_for_update().get(pk=provider_id)


def period_taken(
    *, provider_id: int, start: datetime, end: datetime, ignore_pk: int | None = None
) -> bool:
    """Whether an active booking of the provider overlaps start-end (with the buffer)."""
    buffer = timedelta(minutes=settings.BOOKING_BUFFER_MINUTES)
    taken = Booking.objects.filter(
        provider_id=provider_id,
        status__in=Booking.ACTIVE,
        period__overlap=(start - buffer, end + buffer),
    )
    if ignore_pk:
        taken = taken.exclude(pk=ignore_pk)
    return taken.exists()


def is_lost_race(error: Exception) -> bool:
    return getattr(error.__cause__, "sqlstate", None) in _RACE_SQLSTATES


@contextmanager
def slot_guard(message: str = SLOT_TAKEN_MESSAGE) -> Iterator[None]:
    """A lost race (the exclusion constraint, a lock timeout, a deadlock) becomes SlotTaken.

    Wrap it around the transaction, so the failed transaction is rolled back first."""
    try:
        yield
    except (IntegrityError, OperationalError) as error:
        if is_lost_race(error):
            raise SlotTaken(message) from error
        raise


def booking_lock(booking: Booking) -> Booking:
    """The booking's current row, locked until the transaction ends, with what rules and
    notifications read (its service and city, provider and customer)."""
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("service__city", "provider__user", "customer")
        .get(pk=booking.pk)
    )
