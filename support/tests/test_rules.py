"""What the booking page offers is what the service accepts: for every status, each side of
the window and every person, the "Report a problem" link shows exactly when case_open would
open a case."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import ProviderProfileFactory, UserFactory
from accounts.tests.moderators import moderator_make
from bookings.models import Booking
from bookings.tests.factories import BookingFactory
from marketplace.testing import service_accepts
from support import rules, selectors, services
from support.tests.factories import CaseFactory, finished_booking

pytestmark = pytest.mark.django_db

ENDED = [Booking.Status.COMPLETED, Booking.Status.CANCELLED]
NOT_ENDED = [Booking.Status.PENDING, Booking.Status.ACCEPTED, "declined", "expired"]


def _bookings():
    for status in ENDED:
        for days in (0, 6, 8):
            yield finished_booking(status=status, at=timezone.now() - timedelta(days=days))
    for status in NOT_ENDED:
        yield BookingFactory(status=status)
    with_case = finished_booking()
    CaseFactory(booking=with_case)
    yield with_case


def test_the_page_offers_a_report_exactly_when_the_service_takes_it(places):
    others = [UserFactory(), ProviderProfileFactory(approved=True).user, moderator_make()]
    checked = 0
    for booking in _bookings():
        for person in [booking.customer, booking.provider.user, *others]:
            offered = selectors.booking_support_panel(booking=booking, user=person).can_report
            accepted = service_accepts(
                services.case_open,
                booking=booking,
                user=person,
                reason="damage",
                description="The gate was left open and the dog got out.",
            )
            assert offered == accepted, (booking.status, person, offered, accepted)
            checked += accepted
    # The ones inside the window (completed or cancelled, 0 or 6 days ago), by either party.
    assert checked == 2 * 2 * 2


def test_moderators_are_staff_in_the_group(db):
    assert rules.is_moderator(moderator_make())
    assert rules.is_moderator(UserFactory(is_staff=True, is_superuser=True))
    assert not rules.is_moderator(UserFactory(is_staff=True))
    assert not rules.is_moderator(UserFactory())
    suspended = moderator_make()
    suspended.is_active = False
    assert not rules.is_moderator(suspended)
