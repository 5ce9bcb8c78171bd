"""Reviews open when a booking completes: the customer is asked to review it."""

from django.dispatch import receiver

from bookings.models import Booking
from bookings.signals import booking_completed

from .notifications import notify_review_invited


@receiver(booking_completed, sender=Booking, dispatch_uid="reviews_invite_on_completion")
def review_invite(sender, booking: Booking, **kwargs) -> None:
    """Sent after the completion committed: the invitation is its own small write."""
    notify_review_invited(booking=booking)
