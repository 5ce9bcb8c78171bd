"""Support test data: bookings that ended (completed or cancelled) at a given moment, with the
timeline event the eligibility window counts from, and cases made directly."""

from datetime import datetime, timedelta

import factory
from django.utils import timezone

from bookings.models import Booking, BookingEvent
from bookings.tests.factories import BookingFactory
from support.models import Case


def finished_booking(*, status: str = Booking.Status.COMPLETED, at: datetime | None = None, **kw):
    """A booking completed (or cancelled) at `at` (default: an hour ago), with its event."""
    at = at or timezone.now() - timedelta(hours=1)
    start = at - timedelta(hours=2)
    booking = BookingFactory(start=start, status=status, **kw)
    action = {
        Booking.Status.COMPLETED: BookingEvent.Action.COMPLETED,
        Booking.Status.CANCELLED: BookingEvent.Action.CANCELLED,
    }[status]
    event = BookingEvent.objects.create(
        booking=booking,
        action=action,
        from_status=Booking.Status.ACCEPTED,
        to_status=status,
        actor=booking.provider.user,
    )
    BookingEvent.objects.filter(pk=event.pk).update(at=at)
    return booking


class CaseFactory(factory.django.DjangoModelFactory):
    """An open case made directly (no service: no event, no hold, no notification)."""

    class Meta:
        model = Case

    booking = factory.LazyFunction(finished_booking)
    opened_by = factory.SelfAttribute("booking.customer")
    reason = Case.Reason.POOR_QUALITY
    description = "The tap still drips after the repair."
