"""The same money step twice at the same moment, each on its own database connection: the
payment's row lock lets one through; the other waits, then finds the step done (or is refused
with a clear message), so Stripe moves the money once and the ledger records it once."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection

from bookings.models import Booking
from marketplace.errors import DomainError, Invalid
from marketplace.testing import database_pool
from payments import stripe_api
from payments.models import Payment
from payments.services import lifecycle
from payments.services.refunds import payment_refund
from payments.testing import card_saved
from payments.tests.scenarios import (
    StripeCalls,
    booking_at,
    hour_from_now,
    ledger_checked,  # noqa: F401 (autouse)
    lose_payment_tasks,
    payment_of,
    stripe_net,
)

pytestmark = [pytest.mark.usefixtures("ledger_checked"), pytest.mark.django_db(transaction=True)]
State = Payment.State
AT_ONCE = 4


@pytest.fixture(autouse=True)
def a_connection_for_every_thread(transactional_db):
    with database_pool(max_size=AT_ONCE + 1):
        yield


@pytest.fixture
def confirmed(service, customer, monkeypatch):
    """Make confirmed bookings' payments whose steps only the test runs (no task is queued)."""
    lose_payment_tasks(monkeypatch)
    card_saved(customer)
    made = []

    def make() -> Payment:
        start = hour_from_now(days=3) + timedelta(hours=len(made))
        booking = booking_at(service, customer, start=start)
        made.append(booking)
        Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.ACCEPTED)
        return payment_of(booking)

    return make


@pytest.fixture
def payment(confirmed):
    return confirmed()


def _completed_and_held(payment: Payment) -> None:
    lifecycle.payment_authorise(payment_id=payment.pk)
    Booking.objects.filter(pk=payment.booking_id).update(status=Booking.Status.COMPLETED)


def _unlocked(payment_id: int) -> Payment:
    """payment_lock without the lock (the control of the race)."""
    return Payment.objects.select_related("booking", "customer", "provider", "card").get(
        pk=payment_id
    )


def _at_once(step, times: int = AT_ONCE) -> list:
    """Run `step()` on `times` threads released together; each result or domain error."""
    ready = threading.Barrier(times, timeout=30)

    def run(_):
        try:
            ready.wait()
            return step()
        except DomainError as refused:
            return refused
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=times) as pool:
        return list(pool.map(run, range(times)))


def test_authorisations_at_once_make_one_intent(payment, monkeypatch):
    calls = StripeCalls(monkeypatch, "intent_authorise")

    results = _at_once(lambda: lifecycle.payment_authorise(payment_id=payment.pk))

    assert calls["intent_authorise"] == 1
    assert {result.stripe_payment_intent_id for result in results} == {
        payment_of(payment.booking).stripe_payment_intent_id
    }
    assert payment_of(payment.booking).state == State.HELD


def test_captures_at_once_charge_once(confirmed, monkeypatch):
    control, payment = confirmed(), confirmed()
    _completed_and_held(control)
    _completed_and_held(payment)

    # --- Control: the same captures without the row lock, each thread held after it read the
    # intent until all have: every one finds it capturable and asks Stripe to capture (here
    # localstripe refuses all but the first; nothing of ours would have stopped them).
    read = threading.Barrier(AT_ONCE, timeout=30)
    retrieve = stripe_api.intent_retrieve

    def retrieve_then_wait(intent_id):
        intent = retrieve(intent_id)
        read.wait()
        return intent

    with monkeypatch.context() as unlocked:
        calls = StripeCalls(unlocked, "intent_capture")
        unlocked.setattr(stripe_api, "intent_retrieve", retrieve_then_wait)
        unlocked.setattr(lifecycle, "payment_lock", _unlocked)
        _at_once(lambda: lifecycle.payment_capture(payment_id=control.pk))
    assert calls["intent_capture"] == AT_ONCE, "the race did not happen"

    # --- The real thing: the row lock lets one capture through.
    calls = StripeCalls(monkeypatch, "intent_capture", "intent_authorise")

    results = _at_once(lambda: lifecycle.payment_capture(payment_id=payment.pk))

    assert {result.state for result in results} == {State.PAID}
    assert calls.counts == {"intent_capture": 1}
    paid = payment_of(payment.booking)
    assert (paid.captured_cents, paid.transactions.count()) == (18000, 1)
    assert stripe_net(paid) == 18000


def test_refunds_of_everything_at_once_refund_once(payment, monkeypatch):
    _completed_and_held(payment)
    lifecycle.payment_capture(payment_id=payment.pk)
    calls = StripeCalls(monkeypatch, "refund_create")

    results = _at_once(
        lambda: payment_refund(
            payment_id=payment.pk, amount_cents=18000, reason="Job not done", actor=None
        )
    )

    refused = [result for result in results if isinstance(result, Invalid)]
    assert len(refused) == AT_ONCE - 1
    assert {error.fields["amount_cents"][0] for error in refused} == {
        "Refund between $0.01 and $0.00, what the customer has paid after earlier refunds."
    }
    assert calls["refund_create"] == 1
    refunded = payment_of(payment.booking)
    assert (refunded.refunded_cents, refunded.refunds.count()) == (18000, 1)
    assert stripe_net(refunded) == 0
