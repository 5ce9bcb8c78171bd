"""Invoices for a charged payment: the provider's invoice to the customer (a tax invoice with
its GST when the provider is registered for GST) and the platform's receipt for its fee to the
provider. Issued once each (under the payment's row lock, and the one-per-kind constraint
behind it), numbered from a database sequence, stored in the private storage, and announced
to their recipient (in the app and by e-mail, with the download link).

The platform collects the payment as the provider's agent, so the customer's invoice is the
provider's, issued on their behalf.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from stdnum.au import abn as abn_number

from notifications.services import notify

from ..invoice_pdf import Document, Party, invoice_pdf
from ..ledger import payment_balances
from ..models import Invoice, LedgerEntry, Payment, PayoutAccount
from ..money import dollars
from .locking import payment_lock

Kind = Invoice.Kind


def gst_included(amount_cents: int) -> int:
    """The GST inside a GST-inclusive amount: 1/11 of it, half a cent up."""
    return (amount_cents * 2 + 11) // 22


def invoice_number_next() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('payments_invoice_number_seq')")
        (value,) = cursor.fetchone()
    return f"NH-{value:06d}"


def _abn_line(abn: str) -> list[str]:
    return [f"ABN {abn_number.format(abn)}"] if abn else []


def _job_lines(payment: Payment) -> list[str]:
    booking = payment.booking
    when = booking.start.astimezone(booking.zone)
    return [
        f"For: {booking.service.title}",
        f"Booking {booking.pk}, {when:%d %B %Y at %H:%M} ({booking.service.city.name} time)",
        f"At: {booking.address}",
    ]


def _customer_document(payment: Payment, number: str, issued: datetime) -> Document:
    provider = payment.provider
    account = PayoutAccount.objects.filter(provider=provider).first()
    registered = bool(account and account.gst_registered)
    refunded = payment.refunded_cents
    lines = [("Amount charged", payment.captured_cents)]
    if refunded:
        lines.append(("Refunded", -refunded))
    return Document(
        title="Tax invoice" if registered else "Invoice",
        number=number,
        issued_on=issued.astimezone(payment.booking.zone).date(),
        issuer=Party(provider.business_name, _abn_line(account.abn if account else "")),
        recipient=Party(payment.customer.name or payment.customer.email),
        description=_job_lines(payment),
        lines=lines,
        total_label="Total paid (AUD)",
        total_cents=payment.net_cents,
        gst_cents=gst_included(payment.net_cents) if registered else None,
        footer=(
            f"Issued by {settings.PLATFORM_LEGAL_NAME} on behalf of {provider.business_name}, "
            "who supplied the service. Paid by card through Nearhand."
            + ("" if registered else " The supplier is not registered for GST.")
        ),
    )


def _fee_cents(payment: Payment) -> int:
    """The platform's fee on this payment after refunds, from the ledger."""
    return -payment_balances(payment)[LedgerEntry.Account.PLATFORM_FEES]


def _fee_document(payment: Payment, number: str, issued: datetime) -> Document:
    fee = _fee_cents(payment)
    return Document(
        title="Tax invoice: platform fee",
        number=number,
        issued_on=issued.astimezone(payment.booking.zone).date(),
        issuer=Party(settings.PLATFORM_LEGAL_NAME, [f"ABN {settings.PLATFORM_ABN}"]),
        recipient=Party(payment.provider.business_name),
        description=[
            *_job_lines(payment),
            f"On the customer's payment of {dollars(payment.net_cents)} "
            f"({payment.booking.platform_fee_percent}% platform fee).",
        ],
        lines=[],
        total_label="Platform fee (AUD)",
        total_cents=fee,
        gst_cents=gst_included(fee),
        footer="Deducted from your earning for this job; nothing more to pay.",
    )


_DRAW = {Kind.TAX_INVOICE: _customer_document, Kind.FEE_RECEIPT: _fee_document}


def _notify(invoice: Invoice, payment: Payment) -> None:
    url = reverse("invoice_download", kwargs={"pk": invoice.pk})
    title = payment.booking.service.title
    if invoice.kind == Kind.TAX_INVOICE:
        recipient = payment.customer
        heading = f"Your invoice for {title}"
        body = (
            f"{payment.provider.business_name}'s invoice {invoice.number} for "
            f"{dollars(payment.net_cents)} is ready to download."
        )
    else:
        recipient = payment.provider.user
        heading = f"Your platform fee receipt for {title}"
        body = f"Receipt {invoice.number} for the platform fee on this job is ready to download."
    notify(recipient=recipient, kind="invoice_issued", title=heading, body=body, url=url)


def _issue(payment: Payment, kind: str, now: datetime) -> Invoice:
    number = invoice_number_next()
    pdf = invoice_pdf(_DRAW[kind](payment, number, now))
    invoice = Invoice(payment=payment, kind=kind, number=number)
    # A random part in the stored name: the file is only ever served through invoice_download,
    # but a storage bucket's names should not be guessable either.
    invoice.file.save(f"{number}-{secrets.token_hex(8)}.pdf", ContentFile(pdf), save=False)
    invoice.emailed_at = now
    invoice.save()
    _notify(invoice, payment)
    return invoice


def invoices_issue(*, payment_id: int, now: datetime | None = None) -> list[Invoice]:
    """Issue the payment's invoices that are not issued yet (none unless it was charged)."""
    now = now or timezone.now()
    with transaction.atomic():
        payment = payment_lock(payment_id)
        if payment.state != Payment.State.PAID:
            return []
        issued = set(payment.invoices.values_list("kind", flat=True))
        missing = [kind for kind in Kind.values if kind not in issued]
        if Kind.FEE_RECEIPT in missing and not _fee_cents(payment):
            missing.remove(Kind.FEE_RECEIPT)  # no fee (0%), nothing to receipt
        return [_issue(payment, kind, now) for kind in missing]


# A payment charged longer ago than this with no invoice lost its task (the broker was down).
MISSING_AFTER = timedelta(minutes=10)
MISSING_BATCH = 200


def payments_missing_invoices(*, now: datetime | None = None) -> list[int]:
    """Ids of charged payments whose customer invoice was never issued."""
    now = now or timezone.now()
    return list(
        Payment.objects.filter(state=Payment.State.PAID, captured_at__lte=now - MISSING_AFTER)
        .exclude(invoices__kind=Kind.TAX_INVOICE)
        .order_by("captured_at")
        .values_list("pk", flat=True)[:MISSING_BATCH]
    )
