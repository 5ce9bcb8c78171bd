"""Completing a booking asks for a review; manage.py reviews_recompute reports drift."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import ProviderProfile
from bookings.models import Booking
from bookings.services import booking_complete
from bookings.tests.factories import BookingFactory
from listings.models import Service
from notifications.models import Notification
from reviews.aggregates import ratings_refresh
from reviews.tests.factories import ReviewFactory

pytestmark = pytest.mark.django_db


def test_completing_a_booking_invites_the_customer_to_review(django_capture_on_commit_callbacks):
    started = timezone.now().replace(microsecond=0) - timedelta(hours=3)
    booking = BookingFactory(status=Booking.Status.ACCEPTED, start=started)
    with django_capture_on_commit_callbacks(execute=True):
        booking_complete(booking=booking, actor=booking.provider.user)
    invite = Notification.objects.get(recipient=booking.customer, kind="review_invited")
    assert invite.title == f"How did it go? Review {booking.service.title}"
    assert invite.url == f"/bookings/{booking.pk}/review/"


def test_recompute_exits_0_when_nothing_drifted(capsys):
    review = ReviewFactory(rating=4)
    ratings_refresh(service_ids=[review.service_id], provider_ids=[review.provider_id])
    call_command("reviews_recompute")
    assert "No drift" in capsys.readouterr().out


def test_recompute_fixes_and_reports_drift_with_exit_status_1(capsys):
    review = ReviewFactory(rating=4)
    Service.objects.filter(pk=review.service_id).update(rating_average=5, rating_count=118)
    with pytest.raises(SystemExit) as exit_status:
        call_command("reviews_recompute")
    assert exit_status.value.code == 1
    out = capsys.readouterr().out
    assert f"service {review.service_id}: stored 5.00 (118), computed 4.00 (1)" in out
    assert f"provider {review.provider_id}" in out
    service = Service.objects.get(pk=review.service_id)
    assert (service.rating_average, service.rating_count) == (Decimal("4.00"), 1)
    assert ProviderProfile.objects.get(pk=review.provider_id).rating_count == 1
