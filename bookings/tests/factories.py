from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import factory
from django.contrib.gis.geos import Point
from psycopg.types.range import Range

from bookings.models import Booking, BookingEvent, WeeklyAvailability
from listings.tests.factories import ServiceFactory


def open_all_week(provider, start: time = time(8), end: time = time(18)) -> None:
    WeeklyAvailability.objects.bulk_create(
        WeeklyAvailability(provider=provider, weekday=day, start_time=start, end_time=end)
        for day in range(7)
    )


class BookingFactory(factory.django.DjangoModelFactory):
    """A booking made directly (no service checks), with its first timeline event."""

    class Meta:
        model = Booking
        skip_postgeneration_save = True

    class Params:
        start = factory.LazyFunction(
            lambda: datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
        )

    customer = factory.SubFactory("accounts.tests.factories.UserFactory")
    service = factory.SubFactory(ServiceFactory)
    provider = factory.SelfAttribute("service.provider")
    period = factory.LazyAttribute(
        lambda b: Range(b.start, b.start + timedelta(minutes=b.service.duration_minutes), "[)")
    )
    address = "12 Campbell Parade, Bondi, NSW"
    point = factory.LazyFunction(lambda: Point(151.2743, -33.8915, srid=4326))
    price_type = factory.SelfAttribute("service.price_type")
    price = factory.SelfAttribute("service.price")
    cancellation_policy = "moderate"
    platform_fee_percent = Decimal("10.00")
    status = Booking.Status.PENDING

    @factory.post_generation
    def first_event(booking, create, extracted, **kwargs):
        if create:
            BookingEvent.objects.create(
                booking=booking,
                action=BookingEvent.Action.REQUESTED,
                to_status=Booking.Status.PENDING,
                actor=booking.customer,
            )
