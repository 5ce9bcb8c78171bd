"""End to end through review submission: the fraud rules decide whether a review is published
or held for a moderator."""

from datetime import timedelta

import pytest

from marketplace.client_address import ClientInfo
from reviews import services
from reviews.fraud import fraud_scan
from reviews.models import FraudSignal, Review
from reviews.tests.factories import completed_booking
from reviews.tests.test_fraud import person, provider_profile, sign_in

pytestmark = pytest.mark.django_db

TEXT = "Came on time, fixed the switchboard and cleaned up after."


def submit(booking, *, device: str, rating: int = 4):
    client = ClientInfo(ip_address="198.51.100.4", user_agent="Firefox", device_id=device)
    return services.review_submit(
        booking=booking, author=booking.customer, rating=rating, text=TEXT, client=client
    )


def test_a_review_from_the_providers_own_device_is_held(settings):
    profile = provider_profile()
    sign_in(profile.user, device="d" * 32)
    booking = completed_booking(service__provider=profile, customer=person())

    review = submit(booking, device="d" * 32)

    assert review.status == Review.Status.HELD
    assert review.fraud_score == settings.FRAUD_RULE_SCORES["shared_identity"]
    assert review.fraud_signals.get().rule == FraudSignal.Rule.SHARED_IDENTITY


def test_a_review_from_another_device_is_published():
    profile = provider_profile()
    sign_in(profile.user, device="d" * 32)
    booking = completed_booking(service__provider=profile, customer=person())

    review = submit(booking, device="e" * 32)

    assert review.status == Review.Status.PUBLISHED
    assert (review.fraud_score, review.fraud_signals.exists()) == (0, False)


def test_the_scan_holds_a_published_review_once_its_total_reaches_the_threshold():
    profile = provider_profile()
    booking = completed_booking(service__provider=profile, customer=person())
    review = submit(booking, device="e" * 32)
    assert review.status == Review.Status.PUBLISHED
    # Later the provider signs in from the browser the review came from.
    sign_in(profile.user, device="e" * 32)

    report = fraud_scan(since=timedelta(days=1))

    review.refresh_from_db()
    assert report.held == [review.pk]
    assert review.status == Review.Status.HELD
    assert review.status_reason
    booking.service.refresh_from_db()
    assert booking.service.rating_count == 0  # the figures changed with it
    assert fraud_scan(since=timedelta(days=1)).held == []
