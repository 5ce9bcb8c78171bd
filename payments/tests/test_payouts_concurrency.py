"""Two payout runs at once (a beat run and an admin's, or two beat processes): each payment is
paid out once."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from listings.tests.factories import ServiceFactory
from marketplace.testing import database_pool
from payments.models import Payment, Payout, PayoutBatch
from payments.services import payouts
from payments.tests.paid import paid_payment, payout_account, with_card

RUNS = 4


@pytest.fixture
def owed(places, customer, django_capture_on_commit_callbacks, settings):
    """Two paid jobs of one provider with payout details, past the hold: when to pay them."""
    service = ServiceFactory(title="Switchboard upgrade", price="180.00", price_type="fixed")
    with_card(customer)
    for days in (3, 4):
        paid_payment(
            django_capture_on_commit_callbacks, service=service, customer=customer, days_ahead=days
        )
    payout_account(service.provider)
    return timezone.now() + timedelta(days=settings.PAYOUT_HOLD_DAYS, minutes=1)


@pytest.mark.django_db(transaction=True)
def test_without_the_locks_two_runs_pay_the_same_jobs_twice(owed, monkeypatch, settings):
    """The race is real: both runs read the available payments before either writes."""
    read = threading.Barrier(2, timeout=30)

    def unlocked(cutoff):
        found = list(
            Payment.objects.filter(
                state=Payment.State.PAID,
                payout__isnull=True,
                captured_at__lte=cutoff - timedelta(days=settings.PAYOUT_HOLD_DAYS),
            )
        )
        read.wait()
        return found

    monkeypatch.setattr(payouts, "_batch_lock", lambda: None)
    monkeypatch.setattr(payouts, "_available_payments", unlocked)

    def run(_):
        try:
            return payouts.payout_batch_create(now=owed)
        finally:
            connection.close()

    with database_pool(max_size=3), ThreadPoolExecutor(2) as pool:
        list(pool.map(run, range(2)))
    assert PayoutBatch.objects.count() == 2
    assert [p.amount_cents for p in Payout.objects.all()] == [2 * 16200, 2 * 16200]


@pytest.mark.django_db(transaction=True)
def test_simultaneous_runs_pay_each_payment_once(owed):
    now = owed
    start = threading.Barrier(RUNS, timeout=30)

    def run(_):
        try:
            start.wait()
            batch = payouts.payout_batch_create(now=now)
            return batch.pk if batch else None
        finally:
            connection.close()

    with database_pool(max_size=RUNS + 1), ThreadPoolExecutor(RUNS) as pool:
        made = [pk for pk in pool.map(run, range(RUNS)) if pk]
    assert len(made) == 1 and PayoutBatch.objects.count() == 1
    assert Payout.objects.get().amount_cents == 2 * 16200
    assert Payment.objects.filter(payout__isnull=True).count() == 0
