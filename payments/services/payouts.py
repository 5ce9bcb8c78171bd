"""Weekly payouts: a batch draws up one payout per provider from their available earnings; an
admin exports it as the bank's bulk-payment file, pays it from the bank, and marks it paid.
A refund of a job already drawn up or paid out is taken off the provider's next payout.

Localstripe has no Stripe Connect, so payouts are bank transfers from the platform's account,
recorded in the ledger (`provider_payable +P, stripe -P`). With Connect, each payout would be a
Stripe Transfer to the provider's connected account instead of a line in the bank file.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from marketplace.errors import WrongState
from notifications.services import notify

from ..ledger import ledger_payout
from ..models import LedgerEntry, Payment, Payout, PayoutAccount, PayoutBatch
from ..money import dollars

# pg_advisory_xact_lock key: one batch is drawn up at a time, across processes.
_BATCH_LOCK = 0x4E485041  # "NHPA"


def _batch_lock() -> None:
    """Held until the transaction ends: a second run waits here for the first to commit."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_BATCH_LOCK])


def _available_payments(cutoff: datetime) -> list[Payment]:
    """Charged payments not yet in a payout, not held by a support case, captured at least
    PAYOUT_HOLD_DAYS before `cutoff`, whose provider has payout details: locked, so a
    concurrent refund or case waits for the batch (and the batch for them)."""
    return list(
        Payment.objects.select_for_update(of=("self",))
        .filter(
            state=Payment.State.PAID,
            payout__isnull=True,
            payout_held=False,
            captured_at__lte=cutoff - timedelta(days=settings.PAYOUT_HOLD_DAYS),
            provider__payout_account__isnull=False,
        )
        .order_by("id")
    )


def _earned_by_payment(payments: list[Payment]) -> dict[int, int]:
    rows = (
        LedgerEntry.objects.filter(
            transaction__payment__in=payments, account=LedgerEntry.Account.PROVIDER_PAYABLE
        )
        .values("transaction__payment")
        .annotate(total=Sum("amount_cents"))
    )
    return {row["transaction__payment"]: -row["total"] for row in rows}


def _overpaid_by_provider(provider_ids: list[int]) -> dict[int, int]:
    """provider id -> how much more their payouts came to than what the payments in them
    earn now: a refund after a payment was drawn up or paid out. It is taken off their next
    payout, so the ledger's balance owed to them comes back to what they earned."""
    paid_out = dict(
        Payout.objects.filter(provider__in=provider_ids)
        .values("provider")
        .annotate(total=Sum("amount_cents"))
        .values_list("provider", "total")
    )
    earned = dict(
        LedgerEntry.objects.filter(
            account=LedgerEntry.Account.PROVIDER_PAYABLE,
            provider__in=provider_ids,
            transaction__payment__payout__isnull=False,
        )
        .values("provider")
        .annotate(total=Sum("amount_cents"))
        .values_list("provider", "total")
    )
    over = {pk: paid_out[pk] + earned.get(pk, 0) for pk in paid_out}  # earned is negative
    return {pk: cents for pk, cents in over.items() if cents > 0}


def _owed_by_provider(payments: list[Payment]) -> dict[int, tuple[int, list[int]]]:
    """provider id -> (what to pay them: what their payments earned, less any overpayment;
    the payments' ids), for providers owed more than $0. The others' payments wait for a
    later batch."""
    earned = _earned_by_payment(payments)
    by_provider: dict[int, list[int]] = defaultdict(list)
    for payment in payments:
        by_provider[payment.provider_id].append(payment.pk)
    overpaid = _overpaid_by_provider(list(by_provider))
    owed = {
        provider_id: (sum(earned.get(pk, 0) for pk in ids) - overpaid.get(provider_id, 0), ids)
        for provider_id, ids in by_provider.items()
    }
    return {provider_id: row for provider_id, row in owed.items() if row[0] > 0}


def _payout_create(batch: PayoutBatch, account: PayoutAccount, amount_cents: int) -> Payout:
    return Payout.objects.create(
        batch=batch,
        provider_id=account.provider_id,
        amount_cents=amount_cents,
        account_name=account.account_name,
        bsb=account.bsb,
        account_number=account.account_number,
        # Shown on the provider's bank statement: which batch and whose payout.
        reference=f"NH{batch.pk}-{account.provider_id}",
    )


def payout_batch_create(*, now: datetime | None = None) -> PayoutBatch | None:
    """Draw up this week's batch: one payout per provider with available earnings over $0,
    the bank details snapshotted and the payments linked. None when nobody is owed anything.
    Safe to run twice at once: the second waits for the first, then finds nothing left."""
    now = now or timezone.now()
    with transaction.atomic():
        _batch_lock()
        owed = _owed_by_provider(_available_payments(now))
        if not owed:
            return None
        batch = PayoutBatch.objects.create(cutoff=now)
        accounts = PayoutAccount.objects.in_bulk(owed, field_name="provider_id")
        for provider_id, (amount_cents, payment_ids) in owed.items():
            payout = _payout_create(batch, accounts[provider_id], amount_cents)
            Payment.objects.filter(pk__in=payment_ids).update(payout=payout, updated_at=now)
    return batch


def payout_batch_csv(*, batch: PayoutBatch) -> str:
    """The bank's bulk-payment file: one line per payout (BSB as 123-456, account number,
    account name, amount in dollars with cents, reference), no header line, as Australian
    banks' CSV payment imports take it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for payout in batch.payouts.order_by("id"):
        whole, part = divmod(payout.amount_cents, 100)
        writer.writerow(
            [
                f"{payout.bsb[:3]}-{payout.bsb[3:]}",
                payout.account_number,
                payout.account_name,
                f"{whole}.{part:02d}",
                payout.reference,
            ]
        )
    return out.getvalue()


def payout_batch_export(*, batch: PayoutBatch, now: datetime | None = None) -> str:
    """The batch's bank file; the batch records when it was first exported."""
    with transaction.atomic():
        batch = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.exported_at is None:
            batch.exported_at = now or timezone.now()
            batch.save(update_fields=["exported_at"])
        return payout_batch_csv(batch=batch)


def _notify_paid(payout: Payout) -> None:
    notify(
        recipient=payout.provider.user,
        kind="payout_paid",
        title=f"{dollars(payout.amount_cents)} is on its way to your bank",
        body=(
            f"We paid {dollars(payout.amount_cents)} to your account "
            f"{payout.bsb[:3]}-{payout.bsb[3:]} {'•' * 3}{payout.account_number[-3:]} "
            f"with the reference {payout.reference}. Banks usually show it within one to "
            "two business days."
        ),
        url=reverse("portal_earnings"),
    )


def payout_batch_mark_paid(
    *, batch: PayoutBatch, actor: User, now: datetime | None = None
) -> PayoutBatch:
    """The admin paid the batch's bank file: every payout is paid, recorded in the ledger and
    its provider told. Marking a paid batch again does nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        batch = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.paid_at is not None:
            return batch
        if batch.exported_at is None:
            raise WrongState("Export the batch's bank file and pay it before marking it paid.")
        pending = (
            batch.payouts.select_for_update(of=("self",))
            .filter(state=Payout.State.PENDING)
            .select_related("provider__user")
        )
        for payout in pending:
            payout.state = Payout.State.PAID
            payout.paid_at = now
            payout.save(update_fields=["state", "paid_at"])
            ledger_payout(payout=payout, memo=f"Payout {payout.reference}")
            _notify_paid(payout)
        batch.paid_at = now
        batch.paid_by = actor
        batch.save(update_fields=["paid_at", "paid_by"])
    return batch
