"""Paid payments for the earnings, payouts and invoices tests, through the real flow: a card
saved on localstripe, the booking accepted (held) and completed (charged)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bookings.services import booking_accept, booking_complete
from bookings.tests.factories import BookingFactory
from payments.models import Payment, PayoutAccount
from payments.services.opening import payment_open
from payments.testing import card_saved


def paid_payment(captured, *, service, customer, days_ahead: int = 3) -> Payment:
    """A booking of `service` by `customer` (who needs a saved card), accepted and completed:
    its payment charged. `captured` is django_capture_on_commit_callbacks."""
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(
        days=days_ahead
    )
    booking = BookingFactory(service=service, customer=customer, start=start)
    booking.refresh_from_db()
    payment_open(booking=booking)
    provider = booking.provider.user
    with captured(execute=True):
        booking_accept(booking=booking, actor=provider)
    with captured(execute=True):
        booking_complete(booking=booking, actor=provider, now=booking.start + timedelta(hours=2))
    payment = Payment.objects.get(booking=booking)
    assert payment.state == Payment.State.PAID, payment.failure_message
    return payment


def with_card(user):
    card_saved(user)
    return user


def payout_account(provider, **overrides) -> PayoutAccount:
    values = {
        "account_name": "Sparky Electrical",
        "bsb": "062000",
        "account_number": "12345678",
        "abn": "51824753556",
        "gst_registered": False,
    }
    return PayoutAccount.objects.create(provider=provider, **{**values, **overrides})
