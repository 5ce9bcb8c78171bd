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
from payments.services.payouts import payout_batch_create
from payments.tests.paid import paid_payment, payout_account, with_card

RUNS = 4


@pytest.mark.django_db(transaction=True)
def test_simultaneous_runs_pay_each_payment_once(
    places, customer, django_capture_on_commit_callbacks, settings
):
    service = ServiceFactory(title="Switchboard upgrade", price="180.00", price_type="fixed")
    with_card(customer)
    for days in (3, 4):
        paid_payment(
            django_capture_on_commit_callbacks, service=service, customer=customer, days_ahead=days
        )
    payout_account(service.provider)
    now = timezone.now() + timedelta(days=settings.PAYOUT_HOLD_DAYS, minutes=1)
    start = threading.Barrier(RUNS, timeout=30)

    def run(_):
        try:
            start.wait()
            batch = payout_batch_create(now=now)
            return batch.pk if batch else None
        finally:
            connection.close()

    with database_pool(max_size=RUNS + 1), ThreadPoolExecutor(RUNS) as pool:
        made = [pk for pk in pool.map(run, range(RUNS)) if pk]
    assert len(made) == 1 and PayoutBatch.objects.count() == 1
    assert Payout.objects.get().amount_cents == 2 * 16200
    assert Payment.objects.filter(payout__isnull=True).count() == 0
