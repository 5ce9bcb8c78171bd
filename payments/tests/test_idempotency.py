"""Retries are harmless: each step called again finds the payment moved on (one movement on
Stripe, one ledger transaction), and a step that succeeded on Stripe but whose commit was lost
is recorded, not repeated."""

import pytest

from bookings.models import Booking
from marketplace.errors import Invalid
from payments import stripe_api
from payments.models import Payment
from payments.services import lifecycle
from payments.services.refunds import payment_refund
from payments.testing import card_saved
from payments.tests.scenarios import (
    StripeCalls,
    accepted,
    booking_at,
    cancelled_late,
    completed,
    hour_from_now,
    ledger_checked,  # noqa: F401 (autouse)
    payment_of,
    stripe_net,
)

pytestmark = pytest.mark.usefixtures("ledger_checked")
State = Payment.State
WRITES = ("intent_authorise", "intent_capture", "intent_cancel", "refund_create")


@pytest.fixture
def calls(monkeypatch):
    return StripeCalls(monkeypatch, *WRITES)


@pytest.fixture
def booking(service, customer):
    card_saved(customer)
    return booking_at(service, customer, start=hour_from_now(days=3))


def test_authorising_twice_holds_once(booking, calls, django_capture_on_commit_callbacks):
    payment = accepted(booking, django_capture_on_commit_callbacks)

    again = lifecycle.payment_authorise(payment_id=payment.pk)

    assert again.stripe_payment_intent_id == payment.stripe_payment_intent_id
    assert calls.counts == {"intent_authorise": 1}


def test_capturing_twice_charges_once(booking, calls, django_capture_on_commit_callbacks):
    accepted(booking, django_capture_on_commit_callbacks)
    payment = completed(booking, django_capture_on_commit_callbacks)

    lifecycle.payment_capture(payment_id=payment.pk)
    lifecycle.payment_capture(payment_id=payment.pk)

    assert calls.counts == {"intent_authorise": 1, "intent_capture": 1}
    assert payment.transactions.count() == 1
    assert stripe_net(payment) == 18000


def test_settling_a_cancellation_twice_charges_the_fee_once(
    booking, calls, django_capture_on_commit_callbacks
):
    accepted(booking, django_capture_on_commit_callbacks)
    payment = cancelled_late(booking, django_capture_on_commit_callbacks)

    lifecycle.payment_settle_cancellation(payment_id=payment.pk)

    assert calls.counts == {"intent_authorise": 1, "intent_capture": 1}
    assert (payment.transactions.count(), payment.refunds.count()) == (1, 1)
    assert stripe_net(payment) == 9000


def test_releasing_twice_cancels_the_hold_once(booking, calls, django_capture_on_commit_callbacks):
    payment = accepted(booking, django_capture_on_commit_callbacks)
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.DECLINED)

    lifecycle.payment_release(payment_id=payment.pk)
    lifecycle.payment_release(payment_id=payment.pk)

    assert calls.counts == {"intent_authorise": 1, "intent_cancel": 1}
    assert payment_of(booking).refunds.count() == 1


def test_a_capture_whose_commit_was_lost_is_recorded_not_repeated(
    booking, calls, django_capture_on_commit_callbacks
):
    payment = accepted(booking, django_capture_on_commit_callbacks)
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.COMPLETED)
    # payment_capture reached Stripe, then the process died before our commit:
    stripe_api.intent_capture(
        payment_intent_id=payment.stripe_payment_intent_id,
        amount_cents=payment.amount_cents,
        idempotency_key=f"payment-{payment.pk}-capture-{payment.stripe_payment_intent_id}",
    )
    assert (payment_of(booking).state, calls["intent_capture"]) == (State.HELD, 1)

    payment = lifecycle.payment_capture(payment_id=payment.pk)

    assert (payment.state, payment.captured_cents) == (State.PAID, 18000)
    assert calls["intent_capture"] == 1  # only the one before the crash
    assert stripe_net(payment) == 18000
    assert payment.transactions.count() == 1


def test_a_fee_capture_whose_commit_was_lost_is_recorded_not_repeated(
    booking, calls, django_capture_on_commit_callbacks, monkeypatch
):
    payment = accepted(booking, django_capture_on_commit_callbacks)
    monkeypatch.setattr("payments.receivers.enqueue", lambda task, **kwargs: False)
    cancelled_late(booking, django_capture_on_commit_callbacks)
    stripe_api.intent_capture(
        payment_intent_id=payment.stripe_payment_intent_id,
        amount_cents=9000,
        idempotency_key=f"payment-{payment.pk}-capture-{payment.stripe_payment_intent_id}",
    )

    payment = lifecycle.payment_settle_cancellation(payment_id=payment.pk)

    assert (payment.state, payment.captured_cents, calls["intent_capture"]) == (State.PAID, 9000, 1)
    assert stripe_net(payment) == 9000


def test_a_refund_is_checked_against_what_is_left(
    booking, calls, django_capture_on_commit_callbacks
):
    accepted(booking, django_capture_on_commit_callbacks)
    payment = completed(booking, django_capture_on_commit_callbacks)

    payment_refund(payment_id=payment.pk, amount_cents=18000, reason="Not done", actor=None)
    with pytest.raises(Invalid, match=r"Refund between \$0.01 and \$0.00"):
        payment_refund(payment_id=payment.pk, amount_cents=18000, reason="Not done", actor=None)

    assert calls["refund_create"] == 1
    assert stripe_net(payment) == 0
