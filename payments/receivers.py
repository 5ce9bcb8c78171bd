"""Payments react to bookings' domain events (sent after the booking's change committed)."""

from django.dispatch import receiver

from bookings.models import Booking
from bookings.signals import booking_created

from .services.opening import payment_open


@receiver(booking_created, sender=Booking, dispatch_uid="payments_open_on_booking")
def open_payment(sender, booking: Booking, **kwargs) -> None:
    payment_open(booking=booking)
