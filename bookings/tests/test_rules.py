"""One rule, one place: for every booking state and every person, the booking page offers
exactly the actions the services accept, and nothing else."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from psycopg.types.range import Range

from accounts.tests.factories import ProviderProfileFactory, UserFactory
from bookings import services
from bookings.models import Booking
from bookings.rules import BookingAction, booking_allowed_actions
from bookings.tests.conftest import free_slots
from bookings.tests.factories import BookingFactory
from marketplace.testing import service_accepts as accepts

pytestmark = pytest.mark.django_db

# How the booking page offers each action: a form posting to, or a link to, its URL.
OFFERS = {
    BookingAction.ACCEPT: r'action="/bookings/{pk}/accept/"',
    BookingAction.DECLINE: r'action="/bookings/{pk}/decline/"',
    BookingAction.COMPLETE: r'action="/bookings/{pk}/complete/"',
    BookingAction.RESCHEDULE_ACCEPT: r'action="/bookings/{pk}/reschedule-accept/"',
    BookingAction.RESCHEDULE_DECLINE: r'action="/bookings/{pk}/reschedule-decline/"',
    BookingAction.RESCHEDULE: r'href="/bookings/{pk}/reschedule/"',
    BookingAction.CANCEL: r'href="/bookings/{pk}/cancel/"',
}

HOUR = timedelta(hours=1)

# (status, starts in, who proposed a new time) for every state a booking can be in.
STATES = {
    "pending": ("pending", 3 * 24 * HOUR, None),
    "pending, time passed": ("pending", -HOUR, None),
    "accepted": ("accepted", 3 * 24 * HOUR, None),
    "accepted, customer proposed a time": ("accepted", 3 * 24 * HOUR, "customer"),
    "accepted, provider proposed a time": ("accepted", 3 * 24 * HOUR, "provider"),
    "accepted, started": ("accepted", -HOUR, None),
    "declined": ("declined", 3 * 24 * HOUR, None),
    "expired": ("expired", -HOUR, None),
    "cancelled": ("cancelled", 3 * 24 * HOUR, None),
    "completed": ("completed", -HOUR, None),
}


def service_accepts(booking: Booking, action: BookingAction, user, new_start) -> bool:
    calls = {
        BookingAction.ACCEPT: (services.booking_accept, {}),
        BookingAction.DECLINE: (services.booking_decline, {}),
        BookingAction.CANCEL: (services.booking_cancel, {"reason": "Plans changed"}),
        BookingAction.RESCHEDULE: (services.booking_reschedule_propose, {"start": new_start}),
        BookingAction.RESCHEDULE_ACCEPT: (services.booking_reschedule_accept, {}),
        BookingAction.RESCHEDULE_DECLINE: (services.booking_reschedule_decline, {}),
        BookingAction.COMPLETE: (services.booking_complete, {}),
    }
    function, extra = calls[action]
    fresh = Booking.objects.get(pk=booking.pk)
    return accepts(function, booking=fresh, actor=user, **extra)


def offered(page: str, pk: int) -> set[BookingAction]:
    return {action for action, offer in OFFERS.items() if re.search(offer.format(pk=pk), page)}


@pytest.mark.parametrize("state", list(STATES))
def test_the_page_offers_exactly_what_the_services_accept(client, service, state):
    status, starts_in, proposer = STATES[state]
    customer = UserFactory()
    start = (timezone.now() + starts_in).replace(second=0, microsecond=0)
    booking = BookingFactory(service=service, customer=customer, status=status, start=start)
    later = [slot for slot in free_slots(service, days_ahead=5) if slot.start != booking.start]
    if proposer:
        booking.proposed_period = Range(later[0].start, later[0].end, "[)")
        booking.proposed_by = customer if proposer == "customer" else service.provider.user
        booking.save()
    people = {
        "customer": customer,
        "provider": service.provider.user,
        "someone else": UserFactory(),
        "another provider": ProviderProfileFactory(approved=True).user,
    }
    for role, user in people.items():
        accepted = {
            action
            for action in BookingAction
            if service_accepts(booking, action, user, new_start=later[1].start)
        }
        assert accepted == booking_allowed_actions(booking=booking, user=user), (state, role)
        client.force_login(user)
        response = client.get(f"/bookings/{booking.pk}/")
        if role in ("customer", "provider"):
            assert response.status_code == 200
            assert offered(response.content.decode(), booking.pk) == accepted, (state, role)
        else:
            assert response.status_code == 404
            assert accepted == set(), (state, role)


def test_every_state_is_walked():
    assert {status for status, _, _ in STATES.values()} == set(Booking.Status.values)
