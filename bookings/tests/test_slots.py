"""Free slots: weekly hours, exceptions, bookings, buffer, lead time, horizon, time zones."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.gis.geos import Point

from bookings.models import AvailabilityException, Booking, WeeklyAvailability
from bookings.slots import service_slots
from bookings.tests.factories import BookingFactory
from listings.tests.factories import ServiceFactory
from marketplace.times import when_label
from places.tests.factories import CityFactory

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 3, 2)
NOW = datetime(2026, 2, 20, tzinfo=UTC)


@pytest.fixture(autouse=True)
def booking_settings(settings):
    settings.BOOKING_BUFFER_MINUTES = 30
    settings.BOOKING_MIN_LEAD_HOURS = 12
    settings.BOOKING_HORIZON_DAYS = 60


@pytest.fixture
def service():
    return ServiceFactory(duration_minutes=60)


def hours(provider, weekday, start, end):
    return WeeklyAvailability.objects.create(
        provider=provider, weekday=weekday, start_time=time(*start), end_time=time(*end)
    )


def local_labels(slots):
    return [slot.local_start.strftime("%H:%M") for slot in slots]


def test_slots_step_by_duration_plus_buffer_within_each_range(service):
    hours(service.provider, 0, (9,), (12,))
    hours(service.provider, 0, (13,), (16,))
    slots = service_slots(service=service, day=MONDAY, now=NOW)
    assert local_labels(slots) == ["09:00", "10:30", "13:00", "14:30"]
    assert all(slot.end - slot.start == timedelta(hours=1) for slot in slots)


def test_a_job_longer_than_each_block_of_hours_runs_through_the_break(service):
    """An 8-hour job with hours 8-12 and 13-17 fits no block, so before this it could never be
    booked (a tenth of the demo's listings showed "Full" every day). A job that fits no block
    spans the day's breaks, starting at the day's first hour and ending by its last."""
    hours(service.provider, 0, (8,), (12,))
    hours(service.provider, 0, (13,), (17,))
    service.duration_minutes = 480
    slots = service_slots(service=service, day=MONDAY, now=NOW)
    assert local_labels(slots) == ["08:00"]
    assert slots[0].local_end.strftime("%H:%M") == "16:00"
    service.duration_minutes = 600  # longer than the whole working day: still no time
    assert service_slots(service=service, day=MONDAY, now=NOW) == []


def test_a_job_that_fits_a_block_never_spans_a_break(service):
    hours(service.provider, 0, (8,), (12,))
    hours(service.provider, 0, (13,), (17,))
    service.duration_minutes = 150
    assert local_labels(service_slots(service=service, day=MONDAY, now=NOW)) == ["08:00", "13:00"]


def test_a_long_job_through_the_break_still_avoids_bookings(service):
    hours(service.provider, 0, (8,), (12,))
    hours(service.provider, 0, (13,), (17,))
    service.duration_minutes = 480
    monday_afternoon = datetime.combine(MONDAY, time(14), tzinfo=ZoneInfo(service.city.timezone))
    BookingFactory(service=service, start=monday_afternoon, status=Booking.Status.ACCEPTED)
    assert service_slots(service=service, day=MONDAY, now=NOW) == []


def test_a_day_off_removes_the_day_and_extra_hours_add_to_it(service):
    hours(service.provider, 0, (9,), (11,))
    AvailabilityException.objects.create(provider=service.provider, date=MONDAY, kind="day_off")
    assert service_slots(service=service, day=MONDAY, now=NOW) == []
    tuesday = MONDAY + timedelta(days=1)
    AvailabilityException.objects.create(
        provider=service.provider,
        date=tuesday,
        kind="extra",
        start_time=time(18),
        end_time=time(20),
    )
    assert local_labels(service_slots(service=service, day=tuesday, now=NOW)) == ["18:00"]


def test_active_bookings_and_their_buffer_block_slots(service):
    hours(service.provider, 0, (9,), (14,))
    start = datetime(2026, 3, 1, 23, 0, tzinfo=UTC)  # 10:00-11:00 Sydney (AEDT, +11)
    BookingFactory(service=service, start=start, status=Booking.Status.ACCEPTED)
    # 09:00 and 10:30 fall inside the booking or its 30-minute buffer; 12:00 is clear.
    assert local_labels(service_slots(service=service, day=MONDAY, now=NOW)) == ["12:00"]
    Booking.objects.update(status=Booking.Status.CANCELLED)
    assert local_labels(service_slots(service=service, day=MONDAY, now=NOW)) == [
        "09:00", "10:30", "12:00"
    ]  # fmt: skip


def test_lead_time_and_horizon(service, settings):
    for day in range(7):
        hours(service.provider, day, (9,), (12,))
    now = datetime(2026, 3, 1, 21, 0, tzinfo=UTC)  # Mon 2 Mar 08:00 Sydney
    # 12 hours' notice: nothing on Monday morning.
    assert service_slots(service=service, day=MONDAY, now=now) == []
    assert service_slots(service=service, day=MONDAY + timedelta(days=1), now=now)
    settings.BOOKING_HORIZON_DAYS = 5
    assert service_slots(service=service, day=MONDAY + timedelta(days=6), now=now) == []


def test_slots_keep_their_wall_clock_hours_when_daylight_saving_starts():
    """Sydney moves from +10 to +11 at 2:00 am on Sunday 4 October 2026."""
    service = ServiceFactory(duration_minutes=60)
    hours(service.provider, 5, (9,), (11,))  # Saturday
    hours(service.provider, 6, (1,), (5,))  # Sunday, across the change
    hours(service.provider, 6, (9,), (11,))
    now = datetime(2026, 9, 20, tzinfo=UTC)
    saturday = service_slots(service=service, day=date(2026, 10, 3), now=now)
    sunday = service_slots(service=service, day=date(2026, 10, 4), now=now)
    assert local_labels(saturday) == ["09:00"]
    # Slots step in wall-clock time (1:00, 2:30, 4:00); 2:30 am does not exist that night,
    # so no slot starts then. 9:00 stays 9:00.
    assert local_labels(sunday) == ["01:00", "04:00", "09:00"]
    assert saturday[0].start == datetime(2026, 10, 2, 23, 0, tzinfo=UTC)  # +10
    assert sunday[-1].start == datetime(2026, 10, 3, 22, 0, tzinfo=UTC)  # +11
    # The 1:00 am slot ends at 3:00 am local: one hour later in UTC.
    assert sunday[0].end - sunday[0].start == timedelta(hours=1)
    assert sunday[0].local_end.strftime("%H:%M") == "03:00"


def test_slots_keep_their_wall_clock_hours_when_daylight_saving_ends():
    """Sydney moves from +11 back to +10 at 3:00 am on Sunday 4 April 2027."""
    service = ServiceFactory(duration_minutes=60)
    hours(service.provider, 6, (9,), (10,))
    now = datetime(2027, 3, 1, tzinfo=UTC)
    before = service_slots(service=service, day=date(2027, 3, 28), now=now)
    after = service_slots(service=service, day=date(2027, 4, 4), now=now)
    assert local_labels(before) == local_labels(after) == ["09:00"]
    assert before[0].start.hour == 22 and after[0].start.hour == 23


def test_a_perth_service_shows_perth_times_whoever_looks():
    perth = CityFactory(
        name="Perth", state="WA", timezone="Australia/Perth", point=Point(115.86, -31.95)
    )
    service = ServiceFactory(
        provider__base_city=perth, duration_minutes=120, provider__base_point=perth.point
    )
    hours(service.provider, 0, (9,), (12,))
    slots = service_slots(service=service, day=MONDAY, now=NOW)
    assert local_labels(slots) == ["09:00"]
    assert slots[0].start == datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Perth is +8, no DST
    label = when_label(
        start=slots[0].start, end=slots[0].end, zone=slots[0].zone, city_name="Perth"
    )
    assert label == "Mon 2 Mar 2026, 9:00 am \u2013 11:00 am (Perth time)"
