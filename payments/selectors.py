"""Reads of payments that pages and the API share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from marketplace.params import MAX_ID
from marketplace.times import day_label

from .models import Invoice, Payment, SavedCard
from .money import dollars

# A payment its customer may put a (new) card on: none yet, the last attempt failed, or not
# authorised yet (payments.services.lifecycle.payment_pay_again accepts the same).
PAYABLE_STATES = (Payment.State.NEEDS_CARD, Payment.State.FAILED, Payment.State.SCHEDULED)


def invoice_for_party(*, user: User, invoice_id: int) -> Invoice | None:
    """An invoice its parties may download: the tax invoice by the booking's customer and
    provider, the platform fee receipt by the provider only. Anyone else gets None."""
    invoice = Invoice.objects.select_related("payment__provider").filter(pk=invoice_id).first()
    if invoice is None or not user.is_authenticated:
        return None
    is_provider = invoice.payment.provider.user_id == user.pk
    is_customer = invoice.payment.customer_id == user.pk
    if is_provider or (is_customer and invoice.kind == Invoice.Kind.TAX_INVOICE):
        return invoice
    return None


def cards_of(*, user: User) -> list[SavedCard]:
    """The person's saved cards, the default first."""
    if not user.is_authenticated:
        return []
    return list(SavedCard.objects.filter(user=user))


def payment_for_party(*, user: User, booking_id: int) -> Payment | None:
    """A booking's payment with its card, refunds and invoices (3 queries), for the booking's
    customer or provider; None for anyone else, or when the booking has nothing to pay."""
    if not user.is_authenticated or booking_id > MAX_ID:
        return None
    return (
        Payment.objects.filter(booking_id=booking_id)
        .filter(Q(customer=user) | Q(provider__user=user))
        .select_related("card", "booking__service__city", "provider")
        .prefetch_related("refunds", "invoices")
        .first()
    )


def invoices_for_viewer(*, payment: Payment, user: User) -> list[Invoice]:
    """The payment's invoices this party may download (from its prefetched invoices): the
    fee receipt is the provider's alone."""
    is_provider = payment.provider.user_id == user.pk
    return [
        invoice
        for invoice in payment.invoices.all()
        if is_provider or invoice.kind == Invoice.Kind.TAX_INVOICE
    ]


@dataclass(frozen=True)
class PaymentStatus:
    """What a booking's payment is, in words for its page: a short label and a sentence."""

    label: str
    sentence: str
    tone: str  # the pill's modifier: "pending", "success", "danger", or "" (plain)


def payment_status(
    *, payment: Payment, for_provider: bool = False, now: datetime | None = None
) -> PaymentStatus:
    """The state as the booking page says it to its customer, or its provider (times in the
    service city's time)."""
    now = now or timezone.now()
    state, booking = payment.state, payment.booking
    State = Payment.State
    if state == State.NEEDS_CARD:
        if for_provider:
            return PaymentStatus(
                "Card needed",
                "The customer has no card on this booking yet: we asked for one.",
                "danger",
            )
        return PaymentStatus("Card needed", "Add a card to pay for this booking.", "danger")
    if state == State.SCHEDULED:
        if payment.authorise_after > now:
            local = payment.authorise_after.astimezone(booking.zone)
            when = f"{day_label(local)} ({booking.service.city.name} time)"
            return PaymentStatus(
                f"Card saved: authorised on {when}",
                f"The card is saved now and authorised on {when}, "
                f"{settings.PAYMENTS_AUTHORISE_DAYS_AHEAD} days before the job (an "
                "authorisation lasts 7 days).",
                "pending",
            )
        if booking.status == booking.Status.ACCEPTED:
            return PaymentStatus("Card saved", "The card is being authorised now.", "pending")
        return PaymentStatus(
            "Card saved",
            "The card is authorised when the provider accepts; nothing is charged if they decline.",
            "pending",
        )
    if state == State.HELD:
        return PaymentStatus(
            "Payment held",
            "The amount is held on the card and charged when the job is marked completed.",
            "success",
        )
    if state == State.FAILED and for_provider:
        return PaymentStatus(
            "Payment failed",
            "The customer's card was not charged: we asked them to pay again. The booking is kept.",
            "danger",
        )
    if state == State.FAILED:
        return PaymentStatus(
            "Payment failed",
            f"Payment failed: {payment.failure_message or 'the card was not charged.'}",
            "danger",
        )
    if state == State.PAID:
        return PaymentStatus("Paid", f"Paid {dollars(payment.net_cents)}.", "success")
    return PaymentStatus("Not charged", "Nothing was charged for this booking.", "")
