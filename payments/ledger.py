"""The double-entry ledger: every movement of money is a LedgerTransaction whose entries sum to
zero. This module is the only writer of ledger rows.

Signs: debits positive, credits negative. A customer charge of C cents with the platform's
commission F is `stripe +C, platform_fees -F, provider_payable -(C - F)`; a refund reverses part
of that; a payout is `provider_payable +P, stripe -P`. The database checks each transaction's sum
at commit (a deferred constraint trigger, migration 0002), so a bug here cannot commit an
unbalanced ledger.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import Sum

from accounts.models import ProviderProfile

from .models import LedgerEntry, LedgerTransaction, Payment, Payout
from .money import fee_share, proportional

Account = LedgerEntry.Account


class UnbalancedTransaction(ValueError):
    """A programming error: the entries given do not sum to zero."""


def ledger_post(
    *,
    kind: str,
    memo: str,
    entries: list[tuple[str, ProviderProfile | None, int]],
    payment: Payment | None = None,
    payout: Payout | None = None,
) -> LedgerTransaction:
    """Write one transaction from (account, provider, signed cents) entries; zero entries are
    left out. Runs inside the caller's transaction."""
    entries = [entry for entry in entries if entry[2]]
    if sum(amount for _, _, amount in entries) != 0:
        raise UnbalancedTransaction(f"{kind} entries do not sum to zero: {entries!r}")
    transaction = LedgerTransaction.objects.create(
        kind=kind, memo=memo[:300], payment=payment, payout=payout
    )
    LedgerEntry.objects.bulk_create(
        LedgerEntry(transaction=transaction, account=account, provider=provider, amount_cents=cents)
        for account, provider, cents in entries
    )
    return transaction


def payment_balances(payment: Payment) -> dict[str, int]:
    """Each account's balance from this payment's transactions (0 when it has none)."""
    rows = (
        LedgerEntry.objects.filter(transaction__payment=payment)
        .values("account")
        .annotate(total=Sum("amount_cents"))
    )
    balances = {account: 0 for account in Account.values}
    balances.update({row["account"]: row["total"] for row in rows})
    return balances


def ledger_charge(*, payment: Payment, amount_cents: int, memo: str) -> LedgerTransaction:
    """The customer was charged `amount_cents` on this payment: the platform keeps its
    commission at the booking's rate, the rest is owed to the provider."""
    commission = fee_share(amount_cents=amount_cents, percent=payment.booking.platform_fee_percent)
    return ledger_post(
        kind=LedgerTransaction.Kind.CHARGE,
        memo=memo,
        payment=payment,
        entries=[
            (Account.STRIPE, None, amount_cents),
            (Account.PLATFORM_FEES, None, -commission),
            (Account.PROVIDER_PAYABLE, payment.provider, -(amount_cents - commission)),
        ],
    )


def ledger_refund(*, payment: Payment, amount_cents: int, memo: str) -> LedgerTransaction:
    """`amount_cents` of this payment's charge went back to the customer: the platform returns
    the same share of its commission as the refund is of what was paid, so a refund of
    everything returns all of it."""
    balances = payment_balances(payment)
    paid = balances[Account.STRIPE]
    commission = proportional(
        part_cents=amount_cents, of_cents=paid, share_cents=-balances[Account.PLATFORM_FEES]
    )
    return ledger_post(
        kind=LedgerTransaction.Kind.REFUND,
        memo=memo,
        payment=payment,
        entries=[
            (Account.STRIPE, None, -amount_cents),
            (Account.PLATFORM_FEES, None, commission),
            (Account.PROVIDER_PAYABLE, payment.provider, amount_cents - commission),
        ],
    )


def ledger_payout(*, payout: Payout, memo: str) -> LedgerTransaction:
    """The provider was paid `payout.amount_cents` by bank transfer."""
    return ledger_post(
        kind=LedgerTransaction.Kind.PAYOUT,
        memo=memo,
        payout=payout,
        entries=[
            (Account.PROVIDER_PAYABLE, payout.provider, payout.amount_cents),
            (Account.STRIPE, None, -payout.amount_cents),
        ],
    )


def provider_earned_cents(payment: Payment) -> int:
    """What this payment owes its provider now (after refunds), from the ledger."""
    return -payment_balances(payment)[Account.PROVIDER_PAYABLE]


def ledger_totals() -> Mapping[str, int]:
    """The whole platform's balance per account (they sum to zero)."""
    rows = LedgerEntry.objects.values("account").annotate(total=Sum("amount_cents"))
    return {row["account"]: row["total"] for row in rows}
