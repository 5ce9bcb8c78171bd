"""Demo reviews the fraud rules hold: written through `reviews.services.review_submit`, the way a
customer's review arrives, from a client the rules can link to the provider.

One demo provider in SUSPECT_EVERY of the first SUSPECTS_UNTIL (demo.reviews) gets two, from
accounts of its own making:
- a five-star review sent from the provider's own device and address (its sign-in recorded as a
  SignInEvent, as the site records it): the shared-identity rule;
- a five-star review of a job marked completed twelve minutes after it was booked, before its
  start, by an account whose only job it is: the odd-booking and new-account rules.
Both score above FRAUD_HOLD_THRESHOLD, so they wait for a moderator instead of being published,
with their signals, like any review the rules hold.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password

from accounts.models import SignInEvent, User
from bookings.models import Booking, BookingEvent
from listings.models import Service
from marketplace.client_address import ClientInfo
from reviews.models import Review
from reviews.services import review_submit

from .customers import customer_email, customer_name

# Numbers of the accounts suspect providers made: far above any city's pool of customers (Sydney's
# reaches about 1,300,000 at scale 36), within the names customer_name keeps unique.
_SUSPECT_NUMBERS = 5_000_000
_BROWSER = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)

Status = Booking.Status
Action = BookingEvent.Action


@dataclass(frozen=True)
class Suspect:
    """A demo provider that gets held reviews, as the reviews step read it."""

    index: int
    pk: int
    user_id: int
    name: str
    zone: ZoneInfo
    service: Service  # an active listing of its


def _account(number: int, *, joined: datetime) -> User:
    return User.objects.create(
        email=customer_email(number),
        name=customer_name(number),
        password=make_password(None),
        date_joined=joined,
    )


def _job(
    suspect: Suspect,
    customer: User,
    *,
    booked: datetime,
    start: datetime,
    completed: datetime,
    instant: bool,
) -> Booking:
    service = suspect.service
    booking = Booking.objects.create(
        customer=customer,
        provider_id=suspect.pk,
        service=service,
        period=(start, start + timedelta(minutes=service.duration_minutes)),
        address=f"{random.Random(suspect.index).randint(1, 99)} Station Street, {service.city}",
        point=service.point,
        price_type=service.price_type,
        price=service.price,
        cancellation_policy=service.cancellation_policy,
        status=Status.COMPLETED,
    )
    Booking.objects.filter(pk=booking.pk).update(created_at=booked, updated_at=completed)
    booking.created_at = booked
    events = [
        (Action.INSTANT if instant else Action.REQUESTED, "", Status.ACCEPTED if instant
         else Status.PENDING, customer.pk, booked),
        *([] if instant else [(Action.ACCEPTED, Status.PENDING, Status.ACCEPTED,
                               suspect.user_id, booked + timedelta(hours=2))]),
        (Action.COMPLETED, Status.ACCEPTED, Status.COMPLETED, suspect.user_id, completed),
    ]  # fmt: skip
    for action, from_status, to_status, actor, at in events:
        event = BookingEvent.objects.create(
            booking=booking, action=action, from_status=from_status, to_status=to_status,
            actor_id=actor,
        )  # fmt: skip
        BookingEvent.objects.filter(pk=event.pk).update(at=at)
    return booking


def _local(day: datetime, zone: ZoneInfo, hour: int, minute: int = 0) -> datetime:
    local = day.astimezone(zone)
    return datetime(local.year, local.month, local.day, hour, minute, tzinfo=zone)


def held_reviews_write(*, suspect: Suspect, text: str, now: datetime) -> list[Review]:
    """The suspect provider's two held reviews (and the jobs and accounts behind them), written
    now by the review service: `now` is the seed's time, a moment earlier."""
    zone = suspect.zone
    number = _SUSPECT_NUMBERS + 2 * suspect.index
    device = f"demo-device-{suspect.index:04d}"
    address = f"203.0.113.{suspect.index % 250 + 1}"
    # The provider signed in from its phone; the "customer" reviews from the same one.
    SignInEvent.objects.create(
        user_id=suspect.user_id, kind=SignInEvent.Kind.SIGN_IN, succeeded=True,
        ip_address=address, user_agent=_BROWSER, device_id=device,
    )  # fmt: skip
    friend = _account(number, joined=now - timedelta(days=40))
    day = now - timedelta(days=3)
    booking = _job(
        suspect, friend, booked=day - timedelta(days=6), start=_local(day, zone, 9),
        completed=_local(day, zone, 12), instant=False,
    )  # fmt: skip
    held = [
        review_submit(
            booking=booking, author=friend, rating=5, text=text,
            client=ClientInfo(ip_address=address, user_agent=_BROWSER, device_id=device),
        )
    ]  # fmt: skip
    # Booked and "completed" twelve minutes later, before the job's start, by a new account.
    day = now - timedelta(days=4)
    booked = _local(day, zone, 10)
    newcomer = _account(number + 1, joined=booked - timedelta(minutes=25))
    booking = _job(
        suspect, newcomer, booked=booked, start=_local(day, zone, 11),
        completed=booked + timedelta(minutes=12), instant=True,
    )  # fmt: skip
    held.append(
        review_submit(
            booking=booking, author=newcomer, rating=5,
            text=f"{suspect.name} is the best in town, amazing service, five stars, book now!",
            client=ClientInfo(ip_address=f"198.51.100.{suspect.index % 250 + 1}",
                              user_agent=_BROWSER, device_id=f"{device}-b"),
        )
    )  # fmt: skip
    return held
