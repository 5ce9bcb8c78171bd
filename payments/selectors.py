"""Reads of payments that pages and the API share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.db.models import Case, CharField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import ProviderProfile, User
from bookings.models import Booking
from marketplace.params import MAX_ID
from marketplace.times import day_label

from .models import Invoice, LedgerEntry, Payment, Payout, PayoutAccount, SavedCard
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


# --- Earnings and payouts ----------------------------------------------------------------------

EARNINGS_PAGE_SIZE = 20
PAYOUTS_SHOWN = 10


class EarningStatus(StrEnum):
    """Where a paid job's earning is on its way to the provider's bank."""

    HELD = "held"
    AVAILABLE = "available"
    NEXT_TRANSFER = "next_transfer"
    PAID_OUT = "paid_out"

    @property
    def label(self) -> str:
        return EARNING_STATUS_LABELS[self]


EARNING_STATUS_LABELS = {
    EarningStatus.HELD: "Held",
    EarningStatus.AVAILABLE: "Available",
    EarningStatus.NEXT_TRANSFER: "In the next transfer",
    EarningStatus.PAID_OUT: "Paid out",
}


def _hold_cutoff(now: datetime) -> datetime:
    """Earnings captured after this moment are still within PAYOUT_HOLD_DAYS."""
    return now - timedelta(days=settings.PAYOUT_HOLD_DAYS)


def _status_case(*, prefix: str, now: datetime) -> Case:
    """The earning's status as SQL, from the payment's fields (`prefix` is the path to the
    payment: "" on payments, "transaction__payment__" on ledger entries)."""
    return Case(
        When(**{f"{prefix}payout__state": Payout.State.PAID}, then=Value(EarningStatus.PAID_OUT)),
        When(**{f"{prefix}payout__isnull": False}, then=Value(EarningStatus.NEXT_TRANSFER)),
        When(
            Q(**{f"{prefix}payout_held": True})
            | Q(**{f"{prefix}captured_at__gt": _hold_cutoff(now)}),
            then=Value(EarningStatus.HELD),
        ),
        default=Value(EarningStatus.AVAILABLE),
        output_field=CharField(),
    )


def _earned_subquery() -> Subquery:
    """What each payment owes its provider (after refunds), from the ledger: the same sum as
    payments.ledger.provider_earned_cents, as a column."""
    owed = (
        LedgerEntry.objects.filter(
            transaction__payment=OuterRef("pk"), account=LedgerEntry.Account.PROVIDER_PAYABLE
        )
        .order_by()
        .values("transaction__payment")
        .annotate(total=Sum("amount_cents"))
        .values("total")
    )
    return Coalesce(Subquery(owed), 0) * -1


def provider_paid_payments(*, provider: ProviderProfile, now: datetime) -> QuerySet[Payment]:
    """The provider's charged payments, newest first, each with `earned_cents` and
    `earning_status` (EarningStatus values)."""
    return (
        Payment.objects.filter(provider=provider, state=Payment.State.PAID)
        .annotate(earned_cents=_earned_subquery(), earning_status=_status_case(prefix="", now=now))
        .order_by("-captured_at", "-id")
    )


@dataclass(frozen=True)
class EarningRow:
    payment: Payment
    completed_on: date
    status: EarningStatus
    paid_out_on: date | None

    @property
    def booking(self) -> Booking:
        return self.payment.booking

    @property
    def fee_cents(self) -> int:
        """The platform's fee on what was charged, after refunds."""
        return self.payment.net_cents - self.payment.earned_cents


@dataclass(frozen=True)
class EarningsPage:
    rows: list[EarningRow]
    page_number: int
    has_previous: bool
    has_next: bool


def earning_row(payment: Payment) -> EarningRow:
    """A charged payment of `provider_paid_payments` as the Earnings page and API show it."""
    zone = payment.booking.zone
    payout = payment.payout
    paid_out = payout.paid_at if payout is not None and payout.paid_at else None
    return EarningRow(
        payment=payment,
        completed_on=payment.captured_at.astimezone(zone).date(),
        status=EarningStatus(payment.earning_status),
        paid_out_on=paid_out.astimezone(zone).date() if paid_out else None,
    )


def provider_earnings(*, provider: ProviderProfile, page: int = 1, now: datetime) -> EarningsPage:
    """One page of the provider's earnings, newest first (1 query; PAGE_SIZE + 1 rows say
    whether there is a next page, no COUNT)."""
    page = max(1, page)
    offset = (page - 1) * EARNINGS_PAGE_SIZE
    payments = list(
        provider_paid_payments(provider=provider, now=now).select_related(
            "booking__service__city", "payout"
        )[offset : offset + EARNINGS_PAGE_SIZE + 1]
    )
    return EarningsPage(
        rows=[earning_row(payment) for payment in payments[:EARNINGS_PAGE_SIZE]],
        page_number=page,
        has_previous=page > 1,
        has_next=len(payments) > EARNINGS_PAGE_SIZE,
    )


def provider_earning_totals(*, provider: ProviderProfile, now: datetime) -> dict[str, int]:
    """What the provider has earned in each status, in cents (one grouped query over the
    ledger; every status is present, 0 when empty)."""
    rows = (
        LedgerEntry.objects.filter(
            account=LedgerEntry.Account.PROVIDER_PAYABLE,
            provider=provider,
            transaction__payment__state=Payment.State.PAID,
        )
        .annotate(status=_status_case(prefix="transaction__payment__", now=now))
        .order_by()
        .values("status")
        .annotate(total=Sum("amount_cents"))
    )
    totals = {status.value: 0 for status in EarningStatus}
    totals.update({row["status"]: -row["total"] for row in rows})
    return totals


def provider_payouts(*, provider: ProviderProfile) -> QuerySet[Payout]:
    """The provider's payouts, newest first, with their batch."""
    return Payout.objects.filter(provider=provider).select_related("batch").order_by("-id")


def payout_account_for(*, provider: ProviderProfile) -> PayoutAccount | None:
    return PayoutAccount.objects.filter(provider=provider).first()
