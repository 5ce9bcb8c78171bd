"""Reviews through the anonymous page cache (marketplace/page_cache.py): publishing, hiding
and replying show on the listing's and the provider's cached pages at once."""

import pytest
from django.test import Client
from django.urls import reverse

from marketplace.page_cache import MARKER_HEADER
from reviews import services
from reviews.models import Review
from reviews.tests.factories import ReviewFactory

pytestmark = pytest.mark.django_db

TEXT = "Found the fault in ten minutes and left the place spotless."


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 60


@pytest.fixture
def held(booking):
    return ReviewFactory(booking=booking, text=TEXT, status=Review.Status.HELD, published_at=None)


def urls(review: Review) -> list[str]:
    return [
        review.service.get_absolute_url(),
        reverse("provider_public", args=[review.provider.slug]),
    ]


def warm(visitor: Client, pages: list[str]) -> None:
    for url in pages:
        visitor.get(url)
        response = visitor.get(url)
        assert response[MARKER_HEADER] == "hit", url


def test_a_review_published_then_hidden_shows_and_goes_at_once(
    held, admin_user, django_capture_on_commit_callbacks
):
    pages = urls(held)
    visitor = Client()
    warm(visitor, pages)
    assert all(TEXT not in visitor.get(url).text for url in pages)

    with django_capture_on_commit_callbacks(execute=True):
        services.review_set_status(review=held, status=Review.Status.PUBLISHED, actor=None)
    for url in pages:
        assert TEXT in visitor.get(url).text, url
    warm(visitor, pages)

    with django_capture_on_commit_callbacks(execute=True):
        services.review_set_status(
            review=held, status=Review.Status.HIDDEN, actor=admin_user, reason="Abusive"
        )
    for url in pages:
        assert TEXT not in visitor.get(url).text, url


def test_a_providers_reply_shows_at_once(held, pro, django_capture_on_commit_callbacks):
    services.review_set_status(review=held, status=Review.Status.PUBLISHED, actor=None)
    pages = urls(held)
    visitor = Client()
    warm(visitor, pages)
    reply = "Thanks, it was a pleasure working with you."

    with django_capture_on_commit_callbacks(execute=True):
        services.review_reply(review=held, user=pro, text=reply)

    assert reply in visitor.get(pages[0]).text
