"""A booking's payment is opened when the booking is made: its price and the platform fee are
snapshotted in cents, and the customer's default card is put on it."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from bookings.models import Booking
from bookings.policies import booking_total

from ..models import Payment, SavedCard
from ..money import cents, fee_share


def authorise_after(booking: Booking) -> object:
    """The earliest moment to authorise the card: authorisations expire after 7 days, so a
    booking further ahead than PAYMENTS_AUTHORISE_DAYS_AHEAD waits until then."""
    return booking.start - timedelta(days=settings.PAYMENTS_AUTHORISE_DAYS_AHEAD)


def payment_open(*, booking: Booking) -> Payment | None:
    """The booking's payment, made once (a second call returns the first); None when the booking
    has no agreed price (nothing to charge)."""
    existing = Payment.objects.filter(booking=booking).first()
    if existing:
        return existing
    total = booking_total(booking=booking)
    if total is None or total <= 0:
        return None
    amount = cents(total)
    card = SavedCard.objects.filter(user_id=booking.customer_id, is_default=True).first()
    try:
        with transaction.atomic():
            return Payment.objects.create(
                booking=booking,
                customer_id=booking.customer_id,
                provider_id=booking.provider_id,
                currency=settings.PAYMENTS_CURRENCY,
                amount_cents=amount,
                fee_cents=fee_share(amount_cents=amount, percent=booking.platform_fee_percent),
                card=card,
                state=Payment.State.SCHEDULED if card else Payment.State.NEEDS_CARD,
                authorise_after=authorise_after(booking),
            )
    except IntegrityError:
        return Payment.objects.get(booking=booking)
