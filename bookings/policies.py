"""What a booking costs, and what cancelling it would cost (from the listing's policy tiers)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from accounts.models import User
from listings.models import Service
from listings.policies import fee_percent

from .models import Booking

_CENT = Decimal("0.01")


def booking_total(*, booking: Booking) -> Decimal | None:
    """The agreed price: fixed, or hourly rate times the booked hours; None on quote."""
    if booking.price is None:
        return None
    if booking.price_type == Service.PriceType.HOURLY:
        hours = Decimal((booking.end - booking.start).total_seconds()) / Decimal(3600)
        return (booking.price * hours).quantize(_CENT, rounding=ROUND_HALF_UP)
    return booking.price


@dataclass(frozen=True)
class CancellationTerms:
    fee: Decimal
    percent: int
    explanation: str


def booking_cancellation_terms(
    *, booking: Booking, actor: User, now: datetime | None = None
) -> CancellationTerms:
    """What cancelling now would cost `actor` (shown before confirming, then recorded).

    Only a customer cancelling a confirmed booking pays a fee; a request not yet accepted, or
    a provider cancelling, costs the customer nothing.
    """
    now = now or timezone.now()
    if booking.status != Booking.Status.ACCEPTED or actor.pk != booking.customer_id:
        return CancellationTerms(Decimal("0.00"), 0, "No cancellation fee applies.")
    percent = fee_percent(policy=booking.cancellation_policy, notice=booking.start - now)
    total = booking_total(booking=booking)
    if not percent:
        return CancellationTerms(Decimal("0.00"), 0, "You can cancel for free now.")
    if total is None:
        return CancellationTerms(
            Decimal("0.00"), percent, "No fee: the price was never agreed in advance."
        )
    fee = (total * percent / 100).quantize(_CENT, rounding=ROUND_HALF_UP)
    return CancellationTerms(
        fee,
        percent,
        f"Cancelling now costs ${fee:,.2f} AUD ({percent}% of ${total:,.2f}) under the "
        f"{booking.get_cancellation_policy_display().lower()} policy.",
    )
