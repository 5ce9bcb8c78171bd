"""Reconciliation: does our ledger agree with Stripe, and with itself?

For every payment with a PaymentIntent, the ledger's STRIPE balance for it (charges in, refunds
out) must equal what Stripe says the customer paid on that intent's charge, net of refunds. And
every ledger transaction, hence the whole platform, must sum to zero. `manage.py
payments_reconcile` prints the differences and exits 1 when there is any.

Stripe and localstripe report a partial capture differently: Stripe has `amount_captured` (the
uncaptured rest simply lapses); localstripe has no `amount_captured` and records the uncaptured
rest as a refund, in `amount_refunded`. Both come out as `captured - refunded`, where captured is
`amount_captured` when Stripe gives it and the charge's whole amount otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Sum

from .. import stripe_api
from ..errors import PaymentsUnavailable
from ..models import LedgerEntry, Payment

# Payments read (and their intents fetched) per database query.
CHUNK = 200


def _plain(stripe_object: Any) -> dict[str, Any]:
    """A Stripe object as a plain dict (the library's objects are not dicts)."""
    if stripe_object is None:
        return {}
    if hasattr(stripe_object, "to_dict"):
        return stripe_object.to_dict()
    return dict(stripe_object)


def _latest_charge(intent: Any) -> dict[str, Any]:
    charge = _plain(intent).get("latest_charge")
    if isinstance(charge, str):  # Stripe gives the id; localstripe the charge itself
        return _plain(stripe_api.charge_retrieve(charge))
    return charge or {}


def charge_net_cents(charge: Any) -> int:
    """What the customer paid on a charge, after refunds (0 when it was never captured)."""
    charge = _plain(charge)
    if not charge.get("captured"):
        return 0
    captured = charge.get("amount_captured")
    if captured is None:
        captured = charge["amount"]
    return int(captured) - int(charge.get("amount_refunded") or 0)


def intent_net_cents(intent: Any) -> int:
    """What the customer paid on a PaymentIntent, after refunds, as Stripe has it."""
    return charge_net_cents(_latest_charge(intent))


def stripe_net_cents(payment_intent_id: str) -> int:
    return intent_net_cents(stripe_api.intent_retrieve(payment_intent_id))


@dataclass(frozen=True)
class PaymentDifference:
    payment_id: int
    booking_id: int
    payment_intent_id: str
    ledger_cents: int
    # None: Stripe could not be asked.
    stripe_cents: int | None

    @property
    def problem(self) -> str:
        if self.stripe_cents is None:
            return "Stripe did not answer"
        if not self.payment_intent_id:
            return "ledger has money but no Stripe intent"
        return "ledger and Stripe differ"


@dataclass
class ReconcileReport:
    checked: int = 0
    payments: list[PaymentDifference] = field(default_factory=list)
    # Transaction id -> its entries' sum, for each that does not sum to zero.
    unbalanced: dict[int, int] = field(default_factory=dict)
    platform_total: int = 0

    @property
    def clean(self) -> bool:
        return not self.payments and not self.unbalanced and self.platform_total == 0


def _ledger_stripe_balances(payment_ids: list[int]) -> dict[int, int]:
    rows = (
        LedgerEntry.objects.filter(
            transaction__payment_id__in=payment_ids, account=LedgerEntry.Account.STRIPE
        )
        .values("transaction__payment_id")
        .annotate(total=Sum("amount_cents"))
    )
    return {row["transaction__payment_id"]: row["total"] for row in rows}


def _chunks() -> Iterator[list[Payment]]:
    """Payments with an intent, in primary-key chunks (a keyset walk: no OFFSET, no count)."""
    last = 0
    while True:
        chunk = list(
            Payment.objects.exclude(stripe_payment_intent_id="")
            .filter(pk__gt=last)
            .order_by("pk")
            .only("pk", "booking_id", "stripe_payment_intent_id")[:CHUNK]
        )
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


def _compare(payment: Payment, ledger_cents: int) -> PaymentDifference | None:
    try:
        stripe_cents: int | None = stripe_net_cents(payment.stripe_payment_intent_id)
    except PaymentsUnavailable:
        stripe_cents = None
    if stripe_cents == ledger_cents:
        return None
    return PaymentDifference(
        payment.pk, payment.booking_id, payment.stripe_payment_intent_id, ledger_cents, stripe_cents
    )


def _ledger_without_intent() -> list[PaymentDifference]:
    """Payments with no intent whose ledger still says Stripe holds money for them."""
    rows = (
        LedgerEntry.objects.filter(
            account=LedgerEntry.Account.STRIPE, transaction__payment__stripe_payment_intent_id=""
        )
        .values("transaction__payment_id", "transaction__payment__booking_id")
        .annotate(total=Sum("amount_cents"))
        .exclude(total=0)
    )
    return [
        PaymentDifference(
            row["transaction__payment_id"], row["transaction__payment__booking_id"], "",
            row["total"], 0,
        )
        for row in rows
    ]  # fmt: skip


def payments_reconcile() -> ReconcileReport:
    """Compare every payment's ledger with Stripe, and check the ledger sums to zero."""
    report = ReconcileReport()
    for chunk in _chunks():
        balances = _ledger_stripe_balances([payment.pk for payment in chunk])
        for payment in chunk:
            report.checked += 1
            difference = _compare(payment, balances.get(payment.pk, 0))
            if difference:
                report.payments.append(difference)
    report.payments.extend(_ledger_without_intent())
    unbalanced = (
        LedgerEntry.objects.values("transaction_id")
        .annotate(total=Sum("amount_cents"))
        .exclude(total=0)
    )
    report.unbalanced = {row["transaction_id"]: row["total"] for row in unbalanced}
    report.platform_total = LedgerEntry.objects.aggregate(total=Sum("amount_cents"))["total"] or 0
    return report
