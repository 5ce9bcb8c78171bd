"""What people are told about payments: the wording only (the services decide). Each function
records notifications in the caller's transaction (notifications.services.notify is the outbox)."""

from __future__ import annotations

from notifications.services import notify

from .models import Payment
from .money import dollars


def notify_payment_failed(*, payment: Payment) -> None:
    booking = payment.booking
    title = booking.service.title
    notify(
        recipient=payment.customer,
        kind="payment_failed",
        title=f"Your payment for {title} did not go through",
        body=(
            f"We could not take {dollars(payment.amount_cents)} on your card for {title}: "
            f"{payment.failure_message} Your booking is kept: open it and pay again with "
            "another card."
        ),
        url=booking.get_absolute_url(),
    )
    notify(
        recipient=payment.provider.user,
        kind="payment_failed",
        title=f"The customer's payment for {title} did not go through",
        body=(
            "We have asked the customer to pay again; the booking is kept. Its page shows "
            "“Payment held” once the money is secured."
        ),
        url=booking.get_absolute_url(),
    )
