import pytest

from bookings.tests.factories import BookingFactory
from listings.tests.factories import ServiceFactory


@pytest.fixture
def service(db, places):
    return ServiceFactory(title="Switchboard upgrade", price="180.00", price_type="fixed")


@pytest.fixture
def booking(db, service, customer):
    """A request for a $180 job three days ahead, with no payment yet."""
    booking = BookingFactory(service=service, customer=customer)
    booking.refresh_from_db()
    return booking
