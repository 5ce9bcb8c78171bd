"""Demo payments, made through the payment services against localstripe (the offline Stripe that
`make run` starts), so every figure the payment pages show comes from real rows and real
(local) Stripe objects.

- Casey (the demo customer) has a saved test card (4242...), the default for her bookings; her
  booking request to Priya (conversations step) is paid with it once Priya accepts.
- Casey had a job done by Priya twelve days ago, paid through the site: authorised on accepting,
  charged on completion. Priya's Earnings page shows it (available: past the hold), her payout
  details are set up, so the next weekly batch pays it out.

Created once: when Casey has a saved card the step does nothing. With real Stripe keys
(STRIPE_API_BASE empty) it does nothing either: a card cannot be entered for her on real Stripe.
The past bookings of the reviews step predate payments through the site and have none.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import ProviderProfile, User
from bookings.models import Booking, BookingEvent
from bookings.services import booking_accept, booking_complete, booking_create
from bookings.slots import local_today, service_slots
from listings.selectors import service_public
from payments.models import LedgerTransaction, Payment, SavedCard
from payments.services.lifecycle import payment_authorise, payment_capture
from payments.services.opening import payment_open
from payments.services.payout_accounts import payout_account_save
from payments.testing import card_saved

from .dataset import demo_data

# The demo provider's payout details: a valid-looking BSB and account (no real bank's), and
# the ATO's published example ABN (it passes the ABN checksum).
PAYOUT_DETAILS = {
    "account_name": "Priya Sharma Electrical",
    "bsb": "062-000",
    "account_number": "12345678",
    "abn": "51 824 753 556",
    "gst_registered": True,
}


def _past_start(service, *, days_ago: int, now: datetime) -> datetime | None:
    """A slot about `days_ago` days before `now` that the booking page offered then and that no
    past job of the provider overlaps (the past jobs are completed, so the slots ignore them)."""
    then = now - timedelta(days=days_ago + 2)
    today = local_today(service=service, now=then)
    for extra in range(2, 6):
        for slot in service_slots(service=service, day=today + timedelta(days=extra), now=then):
            taken = Booking.objects.filter(
                provider_id=service.provider_id, period__overlap=(slot.start, slot.end)
            )
            if not taken.exists():
                return slot.start
    return None


def _paid_past_job(casey: User, priya: ProviderProfile, now: datetime) -> Booking | None:
    service = (
        service_public()
        .filter(provider=priya, price_type="fixed")
        .select_related("city", "subcategory")
        .order_by("pk")
        .first()
    )
    start = service and _past_start(service, days_ago=12, now=now)
    if start is None:
        return None
    booked_at = start - timedelta(days=2)
    booking = booking_create(
        customer=casey,
        service=service,
        start=start,
        street_address="12 Addison Road",
        place=service.city.name,
        notes="Two power points in the garage stopped working.",
        now=booked_at,
    )
    accepted_at, completed_at = booked_at + timedelta(hours=3), booking.end + timedelta(minutes=20)
    booking_accept(booking=booking, actor=priya.user, now=accepted_at)
    payment = payment_open(booking=booking)
    payment_authorise(payment_id=payment.pk, now=accepted_at)
    booking_complete(booking=booking, actor=priya.user, now=completed_at)
    payment_capture(payment_id=payment.pk, now=completed_at)
    _backdate(booking, {"requested": booked_at, "accepted": accepted_at, "completed": completed_at})
    return booking


def _backdate(booking: Booking, times: dict[str, datetime]) -> None:
    """The rows' own timestamps (auto_now) say when the services ran: today. Give them the
    moments the job happened, as the services were told them (`now=`)."""
    Booking.objects.filter(pk=booking.pk).update(
        created_at=times["requested"], updated_at=times["completed"]
    )
    for action, at in times.items():
        BookingEvent.objects.filter(booking=booking, action=action).update(at=at)
    Payment.objects.filter(booking=booking).update(
        created_at=times["requested"], updated_at=times["completed"]
    )
    LedgerTransaction.objects.filter(payment__booking=booking).update(created_at=times["completed"])


def payments_seed(*, now: datetime | None = None) -> int:
    """Casey's card, Priya's payout details and one paid job; returns the bookings paid."""
    now = now or timezone.now()
    if not settings.STRIPE_API_BASE:
        return 0
    data = demo_data()
    casey = User.objects.get(email=data.account("customer").email)
    if SavedCard.objects.filter(user=casey).exists():
        return 0
    priya = ProviderProfile.objects.select_related("user").get(slug=data.demo_provider.slug)
    card_saved(casey)
    payout_account_save(provider=priya, **PAYOUT_DETAILS)
    return 1 if _paid_past_job(casey, priya, now) else 0
