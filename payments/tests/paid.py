"""Paid payments for the earnings, payouts and invoices tests, through the real flow: a card
saved on localstripe, the booking accepted (held) and completed (charged)."""

from __future__ import annotations

from payments.models import Payment, PayoutAccount
from payments.testing import card_saved
from payments.tests.scenarios import accepted, booking_at, completed, hour_from_now


def paid_payment(captured, *, service, customer, days_ahead: int = 3) -> Payment:
    """A booking of `service` by `customer` (who needs a saved card), accepted and completed:
    its payment charged. `captured` is django_capture_on_commit_callbacks."""
    booking = booking_at(service, customer, start=hour_from_now(days=days_ahead))
    accepted(booking, captured)
    payment = completed(booking, captured)
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
