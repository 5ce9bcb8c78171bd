"""The payments parts of other apps' pages, as template tags: the card entry component (the
booking form, the quote acceptance, paying again, the saved cards page) and the booking page's
payment panel.

Lower apps' views cannot import payments; their templates load these tags instead, so the
payment queries are made here.
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking
from bookings.policies import price_total
from listings.models import Service
from marketplace.times import day_label

from .. import selectors
from ..models import Payment
from ..money import cents, dollars

register = template.Library()

STRIPE_JS_URL = "https://js.stripe.com/v3/"


@register.simple_tag
def stripe_script_url() -> str:
    """Stripe.js, or offline (STRIPE_API_BASE set) the site's copy of localstripe's stand-in."""
    return reverse("stripe_js") if settings.STRIPE_API_BASE else STRIPE_JS_URL


def _service_total_cents(service: Service) -> int | None:
    total = price_total(
        price=service.price,
        price_type=service.price_type,
        duration=timedelta(minutes=service.duration_minutes),
    )
    return cents(total) if total is not None and total > 0 else None


@register.inclusion_tag("payments/_card_fields.html", takes_context=True)
def card_fields(
    context,
    *,
    purpose: str = "book",
    service: Service | None = None,
    day: date | None = None,
    payment: Payment | None = None,
):
    """The card entry: the person's saved cards as radios (the default chosen) and "Use a new
    card" with Stripe's card Element, and what will be charged when (1 query: the cards).

    `purpose`: "book" (the booking form, with `service` and the chosen `day`), "quote" (the
    quote acceptance: each quote says its own price), "pay" (paying a booking's `payment`
    again) or "add" (the saved cards page: a new card only)."""
    user = context["user"]
    cards = [] if purpose == "add" else selectors.cards_of(user=user)
    amount_cents = None
    if payment is not None:
        amount_cents = payment.amount_cents
    elif service is not None:
        amount_cents = _service_total_cents(service)
    ahead_days = settings.PAYMENTS_AUTHORISE_DAYS_AHEAD
    days_to_job = _days_to(day, service)
    return {
        "purpose": purpose,
        "cards": cards,
        "chosen": next((card.pk for card in cards if card.is_default), None),
        "total": dollars(amount_cents) if amount_cents is not None else "",
        "instant": bool(service and service.instant_book),
        "ahead_days": ahead_days,
        "far_ahead": days_to_job is not None and days_to_job > ahead_days,
        "stripe_key": settings.STRIPE_PUBLISHABLE_KEY,
        "stripe_script": stripe_script_url(),
    }


def _days_to(day: date | None, service: Service | None) -> int | None:
    """Days from today (in the service city) to `day`."""
    if day is None or service is None:
        return None
    today = timezone.now().astimezone(ZoneInfo(service.city.timezone)).date()
    return (day - today).days


@register.inclusion_tag("payments/_booking_payment.html", takes_context=True)
def booking_payment(context, booking: Booking):
    """The booking page's payment panel for its customer or provider (3 queries when the
    booking has a payment: it with its card, its refunds, its invoices; 1 otherwise)."""
    user = context["user"]
    payment = selectors.payment_for_party(user=user, booking_id=booking.pk)
    if payment is None:
        return {"payment": None}
    payment.booking = booking
    viewer_is_provider = booking.provider.user_id == user.pk
    captured_local = payment.captured_at.astimezone(booking.zone) if payment.captured_at else None
    return {
        "payment": payment,
        "booking": booking,
        "status": selectors.payment_status(payment=payment, for_provider=viewer_is_provider),
        "viewer_is_provider": viewer_is_provider,
        "can_pay": not viewer_is_provider and payment.state in selectors.PAYABLE_STATES,
        "amount": dollars(payment.amount_cents),
        "fee": dollars(payment.fee_cents),
        "earning": dollars(payment.amount_cents - payment.fee_cents),
        "paid": dollars(payment.net_cents),
        "captured": dollars(payment.captured_cents),
        "captured_on": day_label(captured_local) if captured_local else "",
        "refunds": [
            {"refund": refund, "amount": dollars(refund.amount_cents)}
            for refund in payment.refunds.all()
        ],
        "invoices": selectors.invoices_for_viewer(payment=payment, user=user),
        "zone_label": f"{booking.service.city.name} time",
    }
