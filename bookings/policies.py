"""What a booking costs, and what cancelling it would cost (from the listing's policy tiers)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.models import User
from listings.models import Service
from listings.policies import POLICY_TIERS, fee_percent
from marketplace.times import moment_label

from .models import Booking

_CENT = Decimal("0.01")


def price_total(*, price: Decimal | None, price_type: str, duration: timedelta) -> Decimal | None:
    """A price for a time: fixed, or hourly rate times the hours; None on quote."""
    if price is None:
        return None
    if price_type == Service.PriceType.HOURLY:
        hours = Decimal(duration.total_seconds()) / Decimal(3600)
        return (price * hours).quantize(_CENT, rounding=ROUND_HALF_UP)
    return price


def booking_total(*, booking: Booking) -> Decimal | None:
    """The agreed price: fixed, or hourly rate times the booked hours; None on quote."""
    return price_total(
        price=booking.price, price_type=booking.price_type, duration=booking.end - booking.start
    )


def _fee(total: Decimal | None, percent: int) -> Decimal | None:
    if total is None:
        return None
    return (total * percent / 100).quantize(_CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class FeeStep:
    """From the previous step's `until` (or now) to `until` (None: up to the start), cancelling
    costs `percent` of the price: `fee` AUD, or None when the price is not known."""

    percent: int
    fee: Decimal | None
    until: datetime | None


def cancellation_timeline(
    *, policy: str, start: datetime, total: Decimal | None, now: datetime | None = None
) -> list[FeeStep]:
    """What cancelling would cost at each point in time from now until `start`, from the
    policy's tiers (listings.policies): the booking form and the cancel page both show it.

    A tier applies while the notice left is at least its notice, so each step ends at
    `start - notice` of its own tier; steps already over are left out.
    """
    now = now or timezone.now()
    steps = []
    for tier in POLICY_TIERS[policy]:
        until = start - tier.notice if tier.notice else None
        if until is not None and until < now:
            continue
        steps.append(FeeStep(tier.percent, _fee(total, tier.percent), until))
    return steps


def _cost(step: FeeStep, total: Decimal | None) -> str:
    if not step.percent:
        return "free"
    if step.fee is None:
        return f"{step.percent}% of the price"
    if step.fee == total:
        return f"${step.fee:,.2f}"
    return f"${step.fee:,.2f} ({step.percent}%)"


def timeline_sentence(steps: list[FeeStep], *, total: Decimal | None, zone: ZoneInfo) -> str:
    """ "Free to cancel until Tue 1 Dec 9:00 am, then $645.00." in the city's time."""
    parts = []
    for index, step in enumerate(steps):
        cost = _cost(step, total)
        if index == 0:
            cost = "Free to cancel" if not step.percent else f"Cancelling costs {cost}"
        else:
            cost = f"then {cost}"
        if step.until is not None:
            cost += f" until {moment_label(step.until.astimezone(zone))}"
        parts.append(cost)
    return ", ".join(parts) + "."


def service_fee_sentence(
    *, service: Service, start: datetime, end: datetime, now: datetime | None = None
) -> str:
    """The fee timeline for booking `service` from `start` to `end`, as the form shows it."""
    total = price_total(price=service.price, price_type=service.price_type, duration=end - start)
    steps = cancellation_timeline(
        policy=service.cancellation_policy, start=start, total=total, now=now
    )
    return timeline_sentence(steps, total=total, zone=ZoneInfo(service.city.timezone))


def booking_cancellation_timeline(
    *, booking: Booking, actor: User, now: datetime | None = None
) -> list[FeeStep]:
    """The fee timeline for `actor` cancelling `booking`: empty when no fee can apply to
    them (the same rule as booking_cancellation_terms)."""
    if booking.status != Booking.Status.ACCEPTED or actor.pk != booking.customer_id:
        return []
    return cancellation_timeline(
        policy=booking.cancellation_policy,
        start=booking.start,
        total=booking_total(booking=booking),
        now=now,
    )


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
    fee = _fee(total, percent)
    return CancellationTerms(
        fee,
        percent,
        f"Cancelling now costs ${fee:,.2f} AUD ({percent}% of ${total:,.2f}) under the "
        f"{booking.get_cancellation_policy_display().lower()} policy.",
    )
