"""Payments react to bookings' domain events (sent after the booking's change committed): each
queues the step that follows, so a slow Stripe never slows the booking pages. A step whose task
was lost is done by the beat sweep (tasks.payments_sweep, every 15 minutes)."""

from django.dispatch import receiver

from bookings.models import Booking
from bookings.signals import (
    booking_accepted,
    booking_cancelled,
    booking_completed,
    booking_created,
    booking_declined,
    booking_expired,
    booking_rescheduled,
)
from marketplace.queueing import enqueue

from . import tasks
from .models import Payment
from .services.opening import payment_open


def _payment_id(booking: Booking) -> int | None:
    return Payment.objects.filter(booking=booking).values_list("pk", flat=True).first()


@receiver(booking_created, sender=Booking, dispatch_uid="payments_open_on_booking")
def open_payment(sender, booking: Booking, **kwargs) -> None:
    """Every booking gets its payment; an instant booking or an accepted quote is confirmed
    already, so its card is authorised at once (when the day is near)."""
    payment = payment_open(booking=booking)
    if payment and booking.status == Booking.Status.ACCEPTED:
        enqueue(tasks.payment_authorise, payment_id=payment.pk)


@receiver(booking_accepted, sender=Booking, dispatch_uid="payments_authorise_on_accept")
def authorise_on_accept(sender, booking: Booking, **kwargs) -> None:
    if payment_id := _payment_id(booking):
        enqueue(tasks.payment_authorise, payment_id=payment_id)


@receiver(booking_completed, sender=Booking, dispatch_uid="payments_capture_on_completion")
def capture_on_completion(sender, booking: Booking, **kwargs) -> None:
    if payment_id := _payment_id(booking):
        enqueue(tasks.payment_capture, payment_id=payment_id)


@receiver(booking_cancelled, sender=Booking, dispatch_uid="payments_settle_on_cancel")
def settle_on_cancel(sender, booking: Booking, **kwargs) -> None:
    if payment_id := _payment_id(booking):
        enqueue(tasks.payment_settle_cancellation, payment_id=payment_id)


@receiver(booking_declined, sender=Booking, dispatch_uid="payments_release_on_decline")
@receiver(booking_expired, sender=Booking, dispatch_uid="payments_release_on_expiry")
def release_on_decline_or_expiry(sender, booking: Booking, **kwargs) -> None:
    if payment_id := _payment_id(booking):
        enqueue(tasks.payment_release, payment_id=payment_id)


@receiver(booking_rescheduled, sender=Booking, dispatch_uid="payments_follow_reschedule")
def follow_reschedule(sender, booking: Booking, **kwargs) -> None:
    if payment_id := _payment_id(booking):
        enqueue(tasks.payment_reschedule, payment_id=payment_id)
