from decimal import Decimal

import pytest

from listings.tests.factories import ServiceFactory
from reviews.aggregates import ratings_drift, ratings_recompute_all, ratings_refresh
from reviews.models import Review
from reviews.tests.factories import CompletedBookingFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def _review(service, rating, status=Review.Status.PUBLISHED):
    booking = CompletedBookingFactory(service=service)
    return ReviewFactory(booking=booking, rating=rating, status=status)


def _figures(obj):
    obj.refresh_from_db()
    return obj.rating_average, obj.rating_count


def test_refresh_counts_only_published_reviews_and_rounds_the_average():
    service = ServiceFactory()
    other = ServiceFactory(provider=service.provider)
    for rating in (5, 4, 4):
        _review(service, rating)
    _review(other, 1)
    _review(service, 1, status=Review.Status.HELD)
    _review(service, 1, status=Review.Status.HIDDEN)

    ratings_refresh(service_ids=[service.pk, other.pk], provider_ids=[service.provider_id])

    assert _figures(service) == (Decimal("4.33"), 3)
    assert _figures(other) == (Decimal("1.00"), 1)
    assert _figures(service.provider) == (Decimal("3.50"), 4)


def test_a_service_whose_last_review_goes_falls_back_to_no_rating():
    review = _review(ServiceFactory(), 5)
    ratings_refresh(service_ids=[review.service_id], provider_ids=[review.provider_id])
    Review.objects.filter(pk=review.pk).update(status=Review.Status.HIDDEN)

    ratings_refresh(service_ids=[review.service_id], provider_ids=[review.provider_id])

    assert _figures(review.service) == (Decimal("0.00"), 0)


def test_drift_is_reported_then_recomputed_away():
    review = _review(ServiceFactory(), 4)
    assert {(d.kind, d.pk) for d in ratings_drift()} == {
        ("service", review.service_id),
        ("provider", review.provider_id),
    }

    drift = ratings_recompute_all()

    assert len(drift) == 2
    assert drift[0].computed == (Decimal("4.00"), 1)
    assert ratings_drift() == []
