import pytest

from jobs.tests.conftest import plumbers, subcategory  # noqa: F401 (shared fixtures)
from reviews.tests.factories import completed_booking


@pytest.fixture
def booking(db):
    return completed_booking()


@pytest.fixture
def author(booking):
    return booking.customer


@pytest.fixture
def pro(booking):
    """The provider's user."""
    return booking.provider.user


@pytest.fixture
def stranger(db):
    from accounts.tests.factories import UserFactory

    return UserFactory(name="Sam Stranger")
