"""The money follows the booking: held on accept, charged on completion, the ledger balanced."""

from datetime import timedelta

from bookings.services import booking_accept, booking_cancel, booking_complete
from payments.ledger import ledger_totals
from payments.models import Payment, Refund
from payments.services.opening import payment_open
from payments.testing import CARD_CHARGE_DECLINED, card_saved


def test_accept_holds_and_completion_charges(booking, customer, django_capture_on_commit_callbacks):
    card_saved(customer)
    payment_open(booking=booking)
    provider = booking.provider.user

    with django_capture_on_commit_callbacks(execute=True):
        booking_accept(booking=booking, actor=provider)
    payment = Payment.objects.get(booking=booking)
    assert payment.state == Payment.State.HELD

    with django_capture_on_commit_callbacks(execute=True):
        booking_complete(booking=booking, actor=provider, now=booking.start + timedelta(hours=2))
    payment.refresh_from_db()
    assert (payment.state, payment.captured_cents) == (Payment.State.PAID, 18000)
    assert sum(ledger_totals().values()) == 0


def test_cancelling_late_charges_only_the_fee(
    booking, customer, django_capture_on_commit_callbacks
):
    card_saved(customer)
    payment_open(booking=booking)
    with django_capture_on_commit_callbacks(execute=True):
        booking_accept(booking=booking, actor=booking.provider.user)
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(
            booking=booking,
            actor=customer,
            reason="Plans changed",
            now=booking.start - timedelta(hours=2),
        )
    payment = Payment.objects.get(booking=booking)
    booking.refresh_from_db()
    assert payment.state == Payment.State.PAID
    assert payment.captured_cents * 100 == int(booking.cancellation_fee * 100) * 100
    release = Refund.objects.get(payment=payment)
    assert release.amount_cents == 18000 - payment.captured_cents


def test_a_card_declined_at_authorisation_keeps_the_booking(
    booking, customer, django_capture_on_commit_callbacks
):
    card_saved(customer, CARD_CHARGE_DECLINED)
    payment_open(booking=booking)
    with django_capture_on_commit_callbacks(execute=True):
        booking_accept(booking=booking, actor=booking.provider.user)
    payment = Payment.objects.get(booking=booking)
    booking.refresh_from_db()
    assert payment.state == Payment.State.FAILED
    assert "declined" in payment.failure_message
    assert booking.status == "accepted"
    assert customer.notifications.filter(kind="payment_failed").exists()
