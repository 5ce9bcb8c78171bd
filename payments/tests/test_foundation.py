"""Saved cards against the real (local) Stripe, a booking's payment snapshot, and the ledger's
database guarantee."""

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.tests.factories import UserFactory
from marketplace.errors import Invalid, NotAllowed
from payments.ledger import Account, ledger_charge, ledger_post, payment_balances
from payments.models import LedgerEntry, LedgerTransaction, Payment, SavedCard
from payments.services.cards import card_make_default, card_save, card_setup_start
from payments.services.opening import payment_open
from payments.testing import CARD_DECLINED, CARD_OK, card_saved, setup_intent_confirm


def test_a_saved_card_is_the_default_and_keeps_only_what_pages_show(customer):
    first = card_saved(customer)
    second = card_saved(customer, CARD_OK)

    first.refresh_from_db()
    assert (second.is_default, first.is_default) == (True, False)
    assert (second.last4, second.brand) == ("4242", "visa")
    assert card_make_default(user=customer, card_id=first.pk).is_default


def test_a_declined_card_is_not_saved(customer):
    client_secret = card_setup_start(user=customer)
    assert setup_intent_confirm(client_secret, CARD_DECLINED).status_code == 402

    with pytest.raises(Invalid, match="not confirmed"):
        card_save(user=customer, setup_intent_id=client_secret.split("_secret_")[0])
    assert not SavedCard.objects.exists()


def test_nobody_saves_another_persons_setup_intent(customer):
    client_secret = card_setup_start(user=customer)
    setup_intent_confirm(client_secret, CARD_OK)
    stranger = UserFactory()
    card_setup_start(user=stranger)

    with pytest.raises(Invalid):
        card_save(user=stranger, setup_intent_id=client_secret.split("_secret_")[0])
    with pytest.raises(NotAllowed):
        card_make_default(user=stranger, card_id=card_saved(customer).pk)


def test_the_payment_snapshots_price_and_fee_in_cents(booking, customer):
    card = card_saved(customer)

    payment = payment_open(booking=booking)

    assert (payment.amount_cents, payment.fee_cents) == (18000, 1800)
    assert (payment.state, payment.card) == (Payment.State.SCHEDULED, card)
    assert payment_open(booking=booking) == payment


def test_without_a_card_the_payment_asks_for_one(booking):
    assert payment_open(booking=booking).state == Payment.State.NEEDS_CARD


def test_a_charge_splits_into_fee_and_earning_and_sums_to_zero(booking):
    payment = payment_open(booking=booking)

    ledger_charge(payment=payment, amount_cents=18000, memo="Job done")

    assert payment_balances(payment) == {
        Account.STRIPE: 18000,
        Account.PLATFORM_FEES: -1800,
        Account.PROVIDER_PAYABLE: -16200,
    }


def test_ledger_post_refuses_unbalanced_entries(booking):
    with pytest.raises(ValueError, match="sum to zero"):
        ledger_post(kind="charge", memo="x", entries=[(Account.STRIPE, None, 5)])


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_to_commit_an_unbalanced_transaction(booking):
    entry = LedgerTransaction.objects.create(kind="charge", memo="written by hand")

    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        LedgerEntry.objects.create(transaction=entry, account="stripe", amount_cents=100)
    assert not LedgerEntry.objects.exists()
    with connection.cursor() as cursor:  # the trigger is there, deferred to commit
        cursor.execute(
            "SELECT tgdeferrable FROM pg_trigger WHERE tgname = %s", ["payments_ledger_balanced"]
        )
        assert cursor.fetchone() == (True,)
