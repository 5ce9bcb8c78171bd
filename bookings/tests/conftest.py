from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from bookings.slots import service_slots
from bookings.tests.factories import open_all_week
from listings.tests.factories import ServiceFactory


@pytest.fixture
def service(db, places):
    service = ServiceFactory(title="Switchboard upgrade", duration_minutes=60)
    open_all_week(service.provider)
    return service


def free_slots(service, days_ahead: int = 3):
    """The free slots `days_ahead` days from today in the service's city."""
    day = timezone.now().astimezone(ZoneInfo(service.city.timezone)).date()
    return service_slots(service=service, day=day + timedelta(days=days_ahead))
