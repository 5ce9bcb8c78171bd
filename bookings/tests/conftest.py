from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from bookings.slots import service_slots
from bookings.tests.factories import SuburbFactory, open_all_week
from listings.tests.factories import CityFactory, ServiceFactory


@pytest.fixture(autouse=True)
def booking_defaults(settings):
    settings.BOOKING_BUFFER_MINUTES = 30
    settings.BOOKING_MIN_LEAD_HOURS = 12
    settings.BOOKING_HORIZON_DAYS = 60


@pytest.fixture
def places(db):
    sydney = CityFactory()
    return {
        "bondi": SuburbFactory(city=sydney),
        "wollongong": SuburbFactory(
            city=sydney, name="Wollongong", point=Point(150.8931, -34.4278, srid=4326)
        ),
    }


@pytest.fixture
def service(db, places):
    service = ServiceFactory(title="Switchboard upgrade", duration_minutes=60)
    open_all_week(service.provider)
    return service


def free_slots(service, days_ahead: int = 3):
    """The free slots `days_ahead` days from today in the service's city."""
    day = timezone.now().astimezone(ZoneInfo(service.city.timezone)).date()
    return service_slots(service=service, day=day + timedelta(days=days_ahead))
