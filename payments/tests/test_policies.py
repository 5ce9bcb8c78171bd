"""Cancelling by policy: at each tier's notice, just before and just after, the customer is
charged exactly that tier's fee (from a hold, or anew when the booking was too far ahead to
hold), the rest of a hold is released with its reason, and the ledger records only the fee."""

import itertools
from datetime import timedelta

import pytest

from bookings.services import booking_cancel
from listings.policies import POLICY_TIERS
from payments.ledger import Account, payment_balances
from payments.models import Payment, Refund
from payments.money import fee_share
from payments.testing import card_saved
from payments.tests.scenarios import (
    accepted,
    booking_at,
    hour_from_now,
    ledger_checked,  # noqa: F401 (autouse)
    payment_of,
    stripe_net,
)

pytestmark = pytest.mark.usefixtures("ledger_checked")
State = Payment.State
PRICE_CENTS = 18000
MINUTE = timedelta(minutes=1)


def _boundaries():
    """(policy, notice left when cancelling, percent charged) on both sides of every tier's
    notice, straight from listings.policies (the figures the pages show)."""
    cases = []
    for policy, tiers in POLICY_TIERS.items():
        for earlier, later in itertools.pairwise(tiers):
            notice = earlier.notice
            cases.append(
                pytest.param(
                    policy, notice + MINUTE, earlier.percent, id=f"{policy}-{notice}-before"
                )
            )
            cases.append(
                pytest.param(policy, notice - MINUTE, later.percent, id=f"{policy}-{notice}-after")
            )
    return cases


@pytest.mark.parametrize(("policy", "notice_left", "percent"), _boundaries())
def test_cancelling_at_each_boundary_charges_that_tiers_fee(
    service, customer, policy, notice_left, percent, django_capture_on_commit_callbacks
):
    card_saved(customer)
    booking = booking_at(
        service, customer, start=hour_from_now(days=notice_left.days + 2), policy=policy
    )
    held_before = accepted(booking, django_capture_on_commit_callbacks).state == State.HELD

    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(
            booking=booking, actor=customer, reason="Plans changed", now=booking.start - notice_left
        )

    payment = payment_of(booking)
    fee = PRICE_CENTS * percent // 100
    assert payment.captured_cents == fee
    assert stripe_net(payment) == fee
    assert payment.state == (State.PAID if fee else State.RELEASED)
    commission = fee_share(amount_cents=fee, percent=booking.platform_fee_percent)
    assert payment_balances(payment) == {
        Account.STRIPE: fee,
        Account.PLATFORM_FEES: -commission,
        Account.PROVIDER_PAYABLE: -(fee - commission),
    }
    releases = list(payment.refunds.values_list("kind", "amount_cents", "reason"))
    if not held_before:  # nothing was held, so nothing is let go
        assert releases == []
    elif fee == PRICE_CENTS:  # the whole hold is taken: nothing to let go
        assert releases == []
        assert payment.transactions.get().memo == (
            f"Cancellation fee: Cancelled by you: the full price is charged under the {policy} "
            "policy."
        )
    elif fee:
        assert releases == [
            (
                Refund.Kind.RELEASE,
                PRICE_CENTS - fee,
                f"Cancelled by you: the cancellation fee of ${fee // 100:,}.00 is charged under "
                f"the {policy} policy; the rest is released.",
            )
        ]
    else:
        assert releases == [
            (
                Refund.Kind.RELEASE,
                PRICE_CENTS,
                "Cancelled by you: no cancellation fee applies, nothing is charged.",
            )
        ]


def test_the_boundaries_cover_held_and_not_yet_held_payments():
    """Strict's 7-day notice is further ahead than a card is held: its fee is charged anew."""
    longest = max(tier.notice for tiers in POLICY_TIERS.values() for tier in tiers)
    assert longest > timedelta(days=6)
    assert len(_boundaries()) == 2 * sum(len(tiers) - 1 for tiers in POLICY_TIERS.values())
