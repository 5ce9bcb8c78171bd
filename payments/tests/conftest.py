import pytest

from bookings.tests.factories import BookingFactory
from listings.tests.factories import ServiceFactory
from payments.tests.paid import paid_payment, with_card


@pytest.fixture
def service(db, places):
    return ServiceFactory(title="Switchboard upgrade", price="180.00", price_type="fixed")


@pytest.fixture
def booking(db, service, customer):
    """A request for a $180 job three days ahead, with no payment yet."""
    booking = BookingFactory(service=service, customer=customer)
    booking.refresh_from_db()
    return booking


@pytest.fixture
def paying_customer(customer):
    """The customer, with a card saved on localstripe."""
    return with_card(customer)


@pytest.fixture
def pay(django_capture_on_commit_callbacks, service, paying_customer):
    """Makes a booking of `service` by the paying customer, accepted and completed (charged):
    its payment. Keywords go to payments.tests.paid.paid_payment (days_ahead=)."""

    def paid(**kwargs):
        return paid_payment(
            django_capture_on_commit_callbacks, service=service, customer=paying_customer, **kwargs
        )

    return paid


@pytest.fixture
def paid(pay):
    """One paid $180 job (a $18 fee, $162 earned)."""
    return pay()
