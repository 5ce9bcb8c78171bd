"""The cancellation fee at each point in time before a booking: computed once from the
policy's tiers and the price, shown on the booking form for the chosen time and on the cancel
page."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bookings.models import Booking
from bookings.policies import FeeStep, cancellation_timeline, timeline_sentence
from bookings.slots import service_slots
from bookings.tests.factories import BookingFactory
from marketplace.times import moment_label

pytestmark = pytest.mark.django_db

SYDNEY = ZoneInfo("Australia/Sydney")
START = datetime(2026, 12, 10, 22, 0, tzinfo=UTC)  # Fri 11 Dec, 9:00 am in Sydney


def test_a_strict_policy_has_three_steps():
    now = START - timedelta(days=10)
    steps = cancellation_timeline(policy="strict", start=START, total=Decimal("645"), now=now)
    assert steps == [
        FeeStep(0, Decimal("0.00"), START - timedelta(days=7)),
        FeeStep(50, Decimal("322.50"), START - timedelta(hours=48)),
        FeeStep(100, Decimal("645.00"), None),
    ]
    assert timeline_sentence(steps, total=Decimal("645"), zone=SYDNEY) == (
        "Free to cancel until Fri 4 Dec 9:00 am, then $322.50 (50%) until Wed 9 Dec 9:00 am, "
        "then $645.00."
    )


def test_steps_already_over_are_left_out():
    now = START - timedelta(hours=30)
    steps = cancellation_timeline(policy="moderate", start=START, total=Decimal("100"), now=now)
    assert steps == [FeeStep(50, Decimal("50.00"), None)]
    assert timeline_sentence(steps, total=Decimal("100"), zone=SYDNEY) == (
        "Cancelling costs $50.00 (50%)."
    )


def test_the_boundary_belongs_to_the_cheaper_step_as_the_fee_does():
    now = START - timedelta(hours=24)
    steps = cancellation_timeline(policy="flexible", start=START, total=Decimal("80"), now=now)
    assert steps[0] == FeeStep(0, Decimal("0.00"), now)


@pytest.fixture
def strict_service(service):
    service.cancellation_policy = "strict"
    service.price = Decimal("645.00")
    service.save()
    return service


def test_the_booking_form_shows_the_fee_timeline_for_the_first_time(
    client, customer, strict_service
):
    client.force_login(customer)
    day = datetime.now(SYDNEY).date() + timedelta(days=10)
    slot = service_slots(service=strict_service, day=day)[0]
    html = client.get(f"/bookings/new/{strict_service.pk}/?date={day:%Y-%m-%d}").content.decode()
    free_until = moment_label((slot.start - timedelta(days=7)).astimezone(SYDNEY))
    half_until = moment_label((slot.start - timedelta(hours=48)).astimezone(SYDNEY))
    sentence = (
        f"Free to cancel until {free_until}, then $322.50 (50%) until {half_until}, then $645.00."
    )
    assert f"If you book <span data-fee-slot>{slot.label}</span>" in html
    assert f"<span data-fee-sentence>{sentence}</span>" in html
    # Each time carries its own timeline, for the page to show when it is picked.
    assert f'data-fees="{sentence}"' in html


def test_the_booking_form_shows_the_timeline_of_the_time_chosen(client, customer, strict_service):
    client.force_login(customer)
    day = datetime.now(SYDNEY).date() + timedelta(days=10)
    slot = service_slots(service=strict_service, day=day)[1]
    response = client.post(
        f"/bookings/new/{strict_service.pk}/",
        {"date": f"{day:%Y-%m-%d}", "start": slot.value, "street_address": "", "place": ""},
    )
    assert response.status_code == 400
    assert f"If you book <span data-fee-slot>{slot.label}</span>" in response.content.decode()
    assert not Booking.objects.exists()


def test_an_hourly_price_counts_the_booked_hours(client, customer, service):
    service.price_type, service.price, service.duration_minutes = "hourly", Decimal("90"), 120
    service.cancellation_policy = "flexible"
    service.save()
    client.force_login(customer)
    day = datetime.now(SYDNEY).date() + timedelta(days=5)
    html = client.get(f"/bookings/new/{service.pk}/?date={day:%Y-%m-%d}").content.decode()
    assert "then $45.00 (25%)." in html  # 25% of 2 hours at $90


def test_the_cancel_page_uses_the_same_timeline(client, customer, strict_service):
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=5)
    booking = BookingFactory(
        service=strict_service,
        customer=customer,
        status=Booking.Status.ACCEPTED,
        start=start,
        cancellation_policy="strict",
    )
    client.force_login(customer)
    html = client.get(f"/bookings/{booking.pk}/cancel/").content.decode()
    half_until = moment_label((start - timedelta(hours=48)).astimezone(SYDNEY))
    assert f"Cancelling costs $322.50 (50%) until {half_until}, then $645.00." in html
    # The provider cancelling pays nothing, so sees no timeline.
    client.force_login(strict_service.provider.user)
    assert "data-fee-timeline" not in client.get(f"/bookings/{booking.pk}/cancel/").content.decode()
