"""Weekly payouts: who is in a batch, the bank file, marking it paid (once), the ledger."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import ProviderProfileFactory
from listings.tests.factories import ServiceFactory
from marketplace.errors import WrongState
from payments.ledger import ledger_totals
from payments.models import LedgerEntry, Payment, Payout, PayoutBatch
from payments.services.payouts import (
    payout_batch_create,
    payout_batch_export,
    payout_batch_mark_paid,
)
from payments.services.refunds import payment_refund
from payments.tests.paid import paid_payment, payout_account


@pytest.fixture
def after_hold(settings):
    return timezone.now() + timedelta(days=settings.PAYOUT_HOLD_DAYS, minutes=1)


def test_a_batch_pays_each_provider_their_available_earnings(pay, service, after_hold):
    first, second = pay(), pay(days_ahead=4)
    payout_account(service.provider)
    batch = payout_batch_create(now=after_hold)
    [payout] = batch.payouts.all()
    assert (payout.provider, payout.amount_cents) == (service.provider, 2 * 16200)
    assert (payout.bsb, payout.account_number, payout.account_name) == (
        "062000",
        "12345678",
        "Sparky Electrical",
    )
    assert payout.reference == f"NH{batch.pk}-{service.provider.pk}"
    assert set(Payment.objects.filter(payout=payout)) == {first, second}
    assert batch.cutoff == after_hold


def test_the_bank_details_are_a_snapshot(paid, after_hold):
    account = payout_account(paid.provider)
    batch = payout_batch_create(now=after_hold)
    account.account_number = "99999"
    account.save()
    assert batch.payouts.get().account_number == "12345678"


def test_a_refund_lowers_the_payout(paid, after_hold, admin_user):
    payout_account(paid.provider)
    payment_refund(payment_id=paid.pk, amount_cents=3000, reason="Partly done", actor=admin_user)
    batch = payout_batch_create(now=after_hold)
    assert batch.payouts.get().amount_cents == 16200 - 2700


@pytest.mark.parametrize("why", ["within_hold", "case_open", "no_account", "fully_refunded"])
def test_what_is_not_yet_paid_out(paid, after_hold, admin_user, why):
    if why != "no_account":
        payout_account(paid.provider)
    now = after_hold
    if why == "within_hold":
        now = after_hold - timedelta(minutes=2)
    elif why == "case_open":
        Payment.objects.filter(pk=paid.pk).update(payout_held=True)
    elif why == "fully_refunded":
        payment_refund(payment_id=paid.pk, amount_cents=18000, reason="Not done", actor=admin_user)
    assert payout_batch_create(now=now) is None
    assert not PayoutBatch.objects.exists()
    paid.refresh_from_db()
    assert paid.payout is None


def test_a_payment_is_never_in_two_batches(paid, after_hold):
    payout_account(paid.provider)
    assert payout_batch_create(now=after_hold) is not None
    assert payout_batch_create(now=after_hold + timedelta(days=7)) is None
    assert Payout.objects.count() == 1


def test_each_provider_gets_their_own_payout(
    django_capture_on_commit_callbacks, paid, paying_customer, after_hold
):
    other = ServiceFactory(
        provider=ProviderProfileFactory(approved=True), price="99.00", price_type="fixed"
    )
    paid_payment(django_capture_on_commit_callbacks, service=other, customer=paying_customer)
    payout_account(paid.provider)
    payout_account(
        other.provider, account_name="Other Trades", bsb="033000", account_number="55555"
    )
    batch = payout_batch_create(now=after_hold)
    amounts = dict(batch.payouts.values_list("provider", "amount_cents"))
    assert amounts == {paid.provider.pk: 16200, other.provider.pk: 9900 - 990}


def test_the_bank_file_has_a_line_per_payout(paid, after_hold):
    payout_account(paid.provider, account_name="O'Brien & Sons Pty Ltd")
    batch = payout_batch_create(now=after_hold)
    exported_at = after_hold + timedelta(hours=1)
    text = payout_batch_export(batch=batch, now=exported_at)
    assert (
        text
        == f"062-000,12345678,O'Brien & Sons Pty Ltd,162.00,NH{batch.pk}-{paid.provider.pk}\r\n"
    )
    assert list(csv.reader(io.StringIO(text))) == [
        [
            "062-000",
            "12345678",
            "O'Brien & Sons Pty Ltd",
            "162.00",
            f"NH{batch.pk}-{paid.provider.pk}",
        ]
    ]
    batch.refresh_from_db()
    assert batch.exported_at == exported_at
    payout_batch_export(batch=batch, now=exported_at + timedelta(days=1))
    batch.refresh_from_db()
    assert batch.exported_at == exported_at  # the first export is the one recorded


def test_marking_paid_records_the_payout_once_and_tells_the_provider(paid, after_hold, admin_user):
    payout_account(paid.provider)
    batch = payout_batch_create(now=after_hold)
    with pytest.raises(WrongState):
        payout_batch_mark_paid(batch=batch, actor=admin_user)  # not exported yet
    payout_batch_export(batch=batch)
    payout_batch_mark_paid(batch=batch, actor=admin_user, now=after_hold)
    payout_batch_mark_paid(batch=batch, actor=admin_user, now=after_hold + timedelta(hours=1))
    batch.refresh_from_db()
    assert (batch.paid_at, batch.paid_by) == (after_hold, admin_user)
    payout = batch.payouts.get()
    assert (payout.state, payout.paid_at) == (Payout.State.PAID, after_hold)
    entries = LedgerEntry.objects.filter(transaction__payout=payout)
    assert sorted(entries.values_list("account", "amount_cents")) == [
        ("provider_payable", 16200),
        ("stripe", -16200),
    ]
    assert sum(ledger_totals().values()) == 0
    owed = LedgerEntry.objects.filter(account="provider_payable", provider=paid.provider)
    assert sum(owed.values_list("amount_cents", flat=True)) == 0
    [told] = paid.provider.user.notifications.filter(kind="payout_paid")
    assert "$162.00" in told.title and "•••678" in told.body


def test_a_refund_after_a_payout_comes_off_the_next_one(pay, service, after_hold, admin_user):
    payout_account(service.provider)
    first = pay()
    batch = payout_batch_create(now=after_hold)
    payout_batch_export(batch=batch)
    payout_batch_mark_paid(batch=batch, actor=admin_user)
    # A moderator refunds $50 of the paid-out job: the provider was paid $45 too much.
    payment_refund(payment_id=first.pk, amount_cents=5000, reason="Scratched", actor=admin_user)
    pay(days_ahead=4)
    later = after_hold + timedelta(days=7)
    second = payout_batch_create(now=later)
    assert second.payouts.get().amount_cents == 16200 - 4500
    payout_batch_export(batch=second)
    payout_batch_mark_paid(batch=second, actor=admin_user)
    owed = LedgerEntry.objects.filter(account="provider_payable", provider=service.provider)
    assert sum(owed.values_list("amount_cents", flat=True)) == 0


def test_an_overpayment_larger_than_the_new_earnings_waits(
    pay, service, paying_customer, django_capture_on_commit_callbacks, after_hold, admin_user
):
    payout_account(service.provider)
    first = pay()
    payout_batch_create(now=after_hold)  # $162 drawn up
    payment_refund(payment_id=first.pk, amount_cents=18000, reason="Not done", actor=admin_user)
    small = ServiceFactory(provider=service.provider, price="20.00", price_type="fixed")
    job = paid_payment(django_capture_on_commit_callbacks, service=small, customer=paying_customer)
    # The $18 it earns is less than the $162 paid too much: nothing is paid, the job waits.
    assert payout_batch_create(now=after_hold + timedelta(days=7)) is None
    job.refresh_from_db()
    assert job.payout is None
