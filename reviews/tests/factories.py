from datetime import UTC, datetime, timedelta

import factory

from bookings.models import Booking
from bookings.tests.factories import BookingFactory
from reviews.models import Review


class CompletedBookingFactory(BookingFactory):
    """A booking that took place last week and was marked completed."""

    class Params:
        start = factory.LazyFunction(
            lambda: datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=7)
        )

    status = Booking.Status.COMPLETED


class ReviewFactory(factory.django.DjangoModelFactory):
    """A published review written directly (no service checks; the figures are not refreshed:
    call reviews.aggregates.ratings_refresh when a test reads them)."""

    class Meta:
        model = Review

    booking = factory.SubFactory(CompletedBookingFactory)
    service = factory.SelfAttribute("booking.service")
    provider = factory.SelfAttribute("booking.provider")
    author = factory.SelfAttribute("booking.customer")
    rating = 5
    text = factory.Sequence(lambda n: f"Arrived on time and did a careful job, thank you ({n}).")
    status = Review.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: datetime.now(UTC))
