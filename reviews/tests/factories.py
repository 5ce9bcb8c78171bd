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


def completed_booking(*, completed_at: datetime | None = None, **kwargs) -> Booking:
    """A completed booking with its COMPLETED timeline event at `completed_at` (default: now),
    which is when the review window opens."""
    from bookings.models import BookingEvent

    booking = CompletedBookingFactory(**kwargs)
    # Booked days before it took place, as real bookings are (the fraud rules flag a booking
    # completed minutes after it was made).
    booking.created_at = booking.period.lower - timedelta(days=3)
    Booking.objects.filter(pk=booking.pk).update(created_at=booking.created_at)
    event = BookingEvent.objects.create(
        booking=booking,
        action=BookingEvent.Action.COMPLETED,
        from_status=Booking.Status.ACCEPTED,
        to_status=Booking.Status.COMPLETED,
        actor=booking.provider.user,
    )
    if completed_at is not None:
        BookingEvent.objects.filter(pk=event.pk).update(at=completed_at)
    return booking


def png(name: str = "photo.png", size: tuple[int, int] = (800, 600)):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, "#2a7f62").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")
