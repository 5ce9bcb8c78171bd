"""The same money step twice at the same moment, each on its own database connection: the
payment's row lock lets one through; the other waits, then finds the step done (or is refused
with a clear message), so Stripe moves the money once and the ledger records it once."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from bookings.models import Booking
from marketplace.errors import Invalid
from marketplace.testing import database_pool
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
def payment(service, customer, monkeypatch):
    """A confirmed booking's payment whose steps only the test runs (no task is queued)."""
    lose_payment_tasks(monkeypatch)
    card_saved(customer)
    booking = booking_at(service, customer, start=hour_from_now(days=3))
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.ACCEPTED)
    return payment_of(booking)


def _at_once(step, times: int = AT_ONCE) -> list:
    """Run `step()` on `times` threads released together; each result or domain error."""
    ready = threading.Barrier(times, timeout=30)

    def run(_):
        try:
            ready.wait()
            return step()
        except Invalid as refused:
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


def test_captures_at_once_charge_once(payment, monkeypatch):
    lifecycle.payment_authorise(payment_id=payment.pk)
    Booking.objects.filter(pk=payment.booking_id).update(status=Booking.Status.COMPLETED)
    calls = StripeCalls(monkeypatch, "intent_capture", "intent_authorise")

    results = _at_once(lambda: lifecycle.payment_capture(payment_id=payment.pk))

    assert {result.state for result in results} == {State.PAID}
    assert calls.counts == {"intent_capture": 1}
    paid = payment_of(payment.booking)
    assert (paid.captured_cents, paid.transactions.count()) == (18000, 1)
    assert stripe_net(paid) == 18000


def test_refunds_of_everything_at_once_refund_once(payment, monkeypatch):
    lifecycle.payment_authorise(payment_id=payment.pk)
    Booking.objects.filter(pk=payment.booking_id).update(status=Booking.Status.COMPLETED)
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
