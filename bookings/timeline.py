"""A booking's timeline: every transition is recorded as a BookingEvent (who, when, why)."""

from __future__ import annotations

from accounts.models import User

from .models import Booking, BookingEvent


def event_record(
    booking: Booking, *, action: str, from_status: str, actor: User | None, reason: str = ""
) -> BookingEvent:
    """Record a change of `booking` (already saved in its new status)."""
    return BookingEvent.objects.create(
        booking=booking,
        action=action,
        from_status=from_status,
        to_status=booking.status,
        actor=actor,
        reason=reason[:300],
    )
