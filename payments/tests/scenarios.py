"""What the lifecycle, policy, sweep, webhook and reconciliation tests share: bookings at a
chosen distance and policy, the booking steps with their after-commit work run, and the ledger
check every scenario ends with (`ledger_checked`, imported by each module as an autouse fixture).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import Sum

from bookings.models import Booking
from bookings.services import booking_accept, booking_cancel, booking_complete
from bookings.tests.factories import BookingFactory
from payments import stripe_api
from payments.ledger import Account, payment_balances
from payments.models import LedgerEntry, Payment
from payments.services.opening import payment_open
from payments.services.reconcile import stripe_net_cents


def hour_from_now(*, days: float = 3) -> datetime:
    """A whole hour about `days` from now (bookings start on the hour)."""
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=days)


def booking_at(service, customer, *, start: datetime, policy: str = "moderate") -> Booking:
    """A waiting request for `service` (180.00 AUD in these tests) from `start`, with its
    payment opened (on the customer's default card, if they saved one)."""
    booking = BookingFactory(
        service=service, customer=customer, start=start, cancellation_policy=policy
    )
    booking.refresh_from_db()
    payment_open(booking=booking)
    return booking


def payment_of(booking: Booking) -> Payment:
    return Payment.objects.select_related("booking").get(booking=booking)


def accepted(booking: Booking, commit) -> Payment:
    """The provider accepts; the payment's step (authorise) runs after commit."""
    with commit(execute=True):
        booking_accept(booking=booking, actor=booking.provider.user)
    return payment_of(booking)


def completed(booking: Booking, commit) -> Payment:
    booking.refresh_from_db()
    with commit(execute=True):
        booking_complete(
            booking=booking, actor=booking.provider.user, now=booking.start + timedelta(hours=1)
        )
    return payment_of(booking)


def cancelled_late(booking: Booking, commit) -> Payment:
    """The customer cancels an hour before the start (moderate: half the price is the fee)."""
    with commit(execute=True):
        booking_cancel(
            booking=booking,
            actor=booking.customer,
            reason="Sick",
            now=booking.start - timedelta(hours=1),
        )
    return payment_of(booking)


def stripe_status(payment: Payment) -> str:
    return stripe_api.intent_retrieve(payment.stripe_payment_intent_id).status


def stripe_net(payment: Payment) -> int:
    """What Stripe says the customer paid on this payment, after refunds."""
    if not payment.stripe_payment_intent_id:
        return 0
    return stripe_net_cents(payment.stripe_payment_intent_id)


def assert_ledger_balanced() -> None:
    """Every transaction, every payment (so every booking) and the whole platform sum to zero,
    and each payment's Stripe balance is what it says the customer paid."""
    unbalanced = (
        LedgerEntry.objects.values("transaction_id")
        .annotate(total=Sum("amount_cents"))
        .exclude(total=0)
    )
    assert not list(unbalanced)
    assert (LedgerEntry.objects.aggregate(total=Sum("amount_cents"))["total"] or 0) == 0
    for payment in Payment.objects.all():
        balances = payment_balances(payment)
        assert sum(balances.values()) == 0, payment
        assert balances[Account.STRIPE] == payment.net_cents, payment


@pytest.fixture
def ledger_checked(db):
    """Autouse in each module that imports it: the ledger balances after every scenario."""
    yield
    assert_ledger_balanced()


class StripeCalls:
    """Counts the calls the services make to payments.stripe_api (and still makes them), so a
    test can tell one movement on Stripe from two."""

    def __init__(self, monkeypatch, *names: str) -> None:
        self.counts: Counter[str] = Counter()
        for name in names:
            monkeypatch.setattr(stripe_api, name, self._counting(name, getattr(stripe_api, name)))

    def _counting(self, name, function):
        def counted(*args, **kwargs):
            self.counts[name] += 1
            return function(*args, **kwargs)

        return counted

    def __getitem__(self, name: str) -> int:
        return self.counts[name]


def lose_payment_tasks(monkeypatch) -> list[tuple[str, dict]]:
    """From now on every payment task the receivers queue is lost (the broker is down): the
    list returned names what was lost; nothing runs."""
    lost: list[tuple[str, dict]] = []

    def enqueue(task, **kwargs):
        lost.append((task.name, kwargs))
        return False

    monkeypatch.setattr("payments.receivers.enqueue", enqueue)
    return lost
