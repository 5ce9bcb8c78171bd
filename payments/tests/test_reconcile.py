"""`manage.py payments_reconcile`: the ledger against Stripe, payment by payment, and against
zero; exit 0 when everything agrees, 1 with the differences named."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bookings.services import booking_cancel
from payments import stripe_api
from payments.ledger import ledger_charge
from payments.services import reconcile
from payments.services.reconcile import charge_net_cents, payments_reconcile
from payments.services.refunds import payment_refund
from payments.testing import card_saved
from payments.tests.scenarios import (
    accepted,
    booking_at,
    completed,
    hour_from_now,
    payment_of,
)


def _run() -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("payments_reconcile", stdout=out)
    except CommandError as error:
        return error.returncode, out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def history(service, customer, django_capture_on_commit_callbacks):
    """One of each: held, paid, paid then partly refunded, a fee captured from a hold, released."""
    card_saved(customer)
    commit = django_capture_on_commit_callbacks
    bookings = [
        booking_at(service, customer, start=hour_from_now(days=2) + timedelta(hours=h))
        for h in range(5)
    ]
    for booking in bookings:
        accepted(booking, commit)
    completed(bookings[1], commit)
    refunded = completed(bookings[2], commit)
    payment_refund(payment_id=refunded.pk, amount_cents=4000, reason="Part not done", actor=None)
    with commit(execute=True):
        booking_cancel(
            booking=bookings[3],
            actor=customer,
            reason="Sick",
            now=bookings[3].start - timedelta(hours=1),
        )
        booking_cancel(
            booking=bookings[4],
            actor=customer,
            reason="Sick",
            now=bookings[4].start - timedelta(days=3),
        )
    return [payment_of(booking) for booking in bookings]


def test_a_clean_ledger_exits_0(history):
    code, out = _run()

    assert code == 0, out
    assert "5 payment(s) checked: the ledger agrees with Stripe." in out
    assert [payment.net_cents for payment in history] == [0, 18000, 14000, 9000, 0]


def test_a_refund_made_on_stripe_directly_exits_1_naming_it(history):
    paid = history[1]
    stripe_api.refund_create(
        payment_intent_id=paid.stripe_payment_intent_id,
        amount_cents=2500,
        idempotency_key="dashboard",
        metadata={},
    )

    code, out = _run()

    assert code == 1
    row = next(line for line in out.splitlines() if paid.stripe_payment_intent_id in line)
    assert row.split() == [
        str(paid.pk), str(paid.booking_id), paid.stripe_payment_intent_id, "$180.00", "$155.00",
        "ledger", "and", "Stripe", "differ",
    ]  # fmt: skip
    assert len([line for line in out.splitlines() if line.strip()]) == 2  # heading and the row


def test_ledger_money_with_no_stripe_intent_is_a_difference(service, customer):
    booking = booking_at(service, customer, start=hour_from_now(days=3))
    ledger_charge(payment=payment_of(booking), amount_cents=1000, memo="written by hand")

    report = payments_reconcile()

    assert [(d.payment_id, d.ledger_cents, d.problem) for d in report.payments] == [
        (payment_of(booking).pk, 1000, "ledger has money but no Stripe intent")
    ]
    assert not report.clean


def test_stripe_not_answering_is_not_clean(history, monkeypatch):
    def down(*args, **kwargs):
        raise reconcile.PaymentsUnavailable()

    monkeypatch.setattr(stripe_api, "intent_retrieve", down)

    code, out = _run()

    assert code == 1
    assert out.count("Stripe did not answer") == 5


def test_the_walk_goes_through_every_chunk(history, monkeypatch):
    monkeypatch.setattr(reconcile, "CHUNK", 2)

    assert payments_reconcile().checked == 5


@pytest.mark.parametrize(
    ("charge", "net"),
    [
        # Stripe: a partial capture has amount_captured; the rest just lapses.
        ({"captured": True, "amount": 18000, "amount_captured": 9000, "amount_refunded": 0}, 9000),
        (
            {"captured": True, "amount": 18000, "amount_captured": 9000, "amount_refunded": 500},
            8500,
        ),
        # localstripe: no amount_captured, the uncaptured rest counted as refunded.
        ({"captured": True, "amount": 18000, "amount_refunded": 9500}, 8500),
        ({"captured": False, "amount": 18000, "amount_refunded": 0}, 0),
        (None, 0),
    ],
)
def test_a_charges_net_reads_stripe_and_localstripe_alike(charge, net):
    assert charge_net_cents(charge) == net
