"""Writing a new booking: from the booking page, or from an accepted quote.

Both go through `_insert_booking`, under the provider lock and `slot_guard` (bookings.locking).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils import timezone
from psycopg.types.range import Range

from accounts.models import User
from listings.fees import platform_fee_percent
from listings.models import Service
from listings.search import services_covering
from listings.selectors import service_public
from marketplace.errors import Invalid, NotAllowed, WrongState
from marketplace.events import send_on_commit
from places.selectors import place_resolve

from .. import signals
from ..locking import SLOT_TAKEN_MESSAGE, SlotTaken, period_taken, provider_lock, slot_guard
from ..models import Booking, BookingEvent
from ..notifications import notify_booking_created
from ..slots import slot_find
from ..timeline import event_record

PLACE_NOT_FOUND = "We could not find that suburb or town. Check the spelling, e.g. “Bondi”."


def _insert_booking(
    *,
    customer: User,
    service: Service,
    start: datetime,
    end: datetime,
    address: str,
    point: Point,
    price_type: str,
    price: Decimal | None,
    notes: str,
    status: str,
    action: str,
    reason: str = "",
) -> Booking:
    """The one way a booking row is written: lock the provider, re-check the period, insert,
    record the event. Runs inside the caller's transaction (under slot_guard)."""
    provider_lock(service.provider_id)
    if period_taken(provider_id=service.provider_id, start=start, end=end):
        raise SlotTaken()
    booking = Booking.objects.create(
        customer=customer,
        provider_id=service.provider_id,
        service=service,
        period=Range(start, end, "[)"),
        address=address[:250],
        point=point,
        price_type=price_type,
        price=price,
        cancellation_policy=service.cancellation_policy,
        platform_fee_percent=platform_fee_percent(subcategory_id=service.subcategory_id),
        notes=notes.strip(),
        status=status,
    )
    booking = Booking.objects.select_related("service__city", "provider__user", "customer").get(
        pk=booking.pk
    )
    event_record(booking, action=action, from_status="", actor=customer, reason=reason)
    send_on_commit(signals.booking_created, sender=Booking, booking=booking, actor=customer)
    return booking


def _check_bookable(*, customer: User, service: Service) -> None:
    if not service_public().filter(pk=service.pk).exists():
        raise WrongState("This service is not taking bookings right now.")
    if service.provider.user_id == customer.pk:
        raise NotAllowed("You cannot book your own service.")
    if service.price_type == Service.PriceType.QUOTE:
        raise WrongState("This service is priced on quote: ask the provider for a quote.")


def booking_create(
    *,
    customer: User,
    service: Service,
    start: datetime,
    street_address: str,
    place: str,
    notes: str = "",
    now: datetime | None = None,
) -> Booking:
    """Book `service` from `start` (UTC) at an address inside its service area.

    An instant-book service is accepted at once; otherwise the request waits for the provider.
    """
    now = now or timezone.now()
    _check_bookable(customer=customer, service=service)
    street_address = " ".join(street_address.split())
    if not street_address:
        raise Invalid(fields={"street_address": "Enter the street address for the job."})
    found = place_resolve(text=place)
    if found is None:
        raise Invalid(fields={"place": PLACE_NOT_FOUND})
    covering = services_covering(services=Service.objects.filter(pk=service.pk), here=found.point)
    if not covering.exists():
        raise Invalid(
            fields={
                "place": f"{found.label} is outside {service.provider.business_name}'s service "
                f"area ({service.service_radius_km} km around {service.city.name}). "
                "Choose a provider closer to you."
            }
        )
    slot = slot_find(service=service, start=start, now=now)
    if slot is None:
        # The page's message for a time that was free when shown (the usual case): the page,
        # the API and the lock's race all say the same.
        raise SlotTaken(SLOT_TAKEN_MESSAGE)

    instant = service.instant_book
    with slot_guard(), transaction.atomic():
        booking = _insert_booking(
            customer=customer,
            service=service,
            start=slot.start,
            end=slot.end,
            address=f"{street_address}, {found.label}",
            point=found.point,
            price_type=service.price_type,
            price=service.price,
            notes=notes,
            status=Booking.Status.ACCEPTED if instant else Booking.Status.PENDING,
            action=BookingEvent.Action.INSTANT if instant else BookingEvent.Action.REQUESTED,
        )
        notify_booking_created(booking=booking)
    return booking


def booking_insert_accepted(
    *,
    customer: User,
    service: Service,
    start: datetime,
    end: datetime,
    address: str,
    point: Point,
    price: Decimal,
    notes: str = "",
    reason: str = "",
) -> Booking:
    """Insert a confirmed booking at an agreed time and price (an accepted quote), under the
    same provider lock, re-check and constraint as booking_create. Raises SlotTaken when the
    time is held by another booking. Notifies nobody: the caller does, in its transaction."""
    with slot_guard(), transaction.atomic():
        return _insert_booking(
            customer=customer,
            service=service,
            start=start,
            end=end,
            address=address,
            point=point,
            price_type=Service.PriceType.FIXED,
            price=price,
            notes=notes,
            status=Booking.Status.ACCEPTED,
            action=BookingEvent.Action.ACCEPTED,
            reason=reason,
        )
