"""What a suspension does beyond the account: a suspended provider's listings leave every
public page, the search, the sitemap, the category counts and rankings at once; the open
bookings of a suspended provider or customer are cancelled with the other side told, without
a fee; reinstating brings the listings back."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import ProviderProfile
from accounts.services import provider_set_status, user_reinstate, user_suspend
from accounts.tests.factories import ProviderProfileFactory, UserFactory
from accounts.tests.moderators import moderator_make
from bookings.models import Booking, BookingEvent
from bookings.tests.factories import BookingFactory
from listings.tests.factories import CategoryFactory, ServiceFactory, SubcategoryFactory
from notifications.models import Notification
from reviews.aggregates import ratings_refresh
from reviews.tests.factories import CompletedBookingFactory, ReviewFactory

pytestmark = pytest.mark.django_db
REASON = "Fake reviews"


@pytest.fixture
def moderator(db):
    return moderator_make()


@pytest.fixture
def lighting(db):
    return SubcategoryFactory(
        category=CategoryFactory(name="Electrical", slug="electrical"),
        name="Lighting",
        slug="lighting",
    )


@pytest.fixture
def provider(lighting):
    return ProviderProfileFactory(approved=True, business_name="Shady Sparks", slug="shady-sparks")


@pytest.fixture
def listing(provider, lighting):
    service = ServiceFactory(
        provider=provider, subcategory=lighting, title="Downlight installation"
    )
    for _ in range(3):  # enough published reviews to be ranked "best rated"
        ReviewFactory(booking=CompletedBookingFactory(service=service))
    ratings_refresh(service_ids=[service.pk], provider_ids=[provider.pk])
    return service


def _public_urls(service) -> list[str]:
    return [service.get_absolute_url(), reverse("provider_public", args=[service.provider.slug])]


@pytest.fixture
def suspend(moderator, django_capture_on_commit_callbacks):
    """Suspend an account as the moderator, and run what waits for the commit."""

    def suspend(user):
        with django_capture_on_commit_callbacks(execute=True):
            user_suspend(user=user, actor=moderator, reason=REASON)

    return suspend


def test_a_suspended_providers_listings_vanish_from_every_public_page(client, listing, suspend):
    city = listing.city.slug
    before = {
        "category": client.get("/electrical/"),
        "city": client.get(f"/lighting/{city}/"),
        "search": client.get(reverse("search"), {"q": "downlight"}),
        "sitemap": client.get("/sitemap-services.xml"),
        "providers": client.get("/sitemap-providers.xml"),
    }
    assert [client.get(url).status_code for url in _public_urls(listing)] == [200, 200]
    assert before["category"].context["cities"][0]["count"] == 1  # now cached
    assert [s.pk for s in before["category"].context["best_rated"]] == [listing.pk]
    assert "Downlight installation" in before["city"].text
    assert "Downlight installation" in before["search"].text
    assert listing.get_absolute_url() in before["sitemap"].text
    assert "shady-sparks" in before["providers"].text

    suspend(listing.provider.user)

    assert [client.get(url).status_code for url in _public_urls(listing)] == [404, 404]
    category = client.get("/electrical/")
    assert category.context["cities"] == []
    assert [sub.public_count for sub in category.context["subcategories"]] == [0]
    assert category.context["best_rated"] == []
    assert "Downlight installation" not in client.get(f"/lighting/{city}/").text
    assert "Downlight installation" not in client.get(reverse("search"), {"q": "downlight"}).text
    assert listing.get_absolute_url() not in client.get("/sitemap-services.xml").text
    assert "shady-sparks" not in client.get("/sitemap-providers.xml").text


def test_reinstating_brings_the_listings_back(client, moderator, listing, suspend):
    suspend(listing.provider.user)

    user_reinstate(user=listing.provider.user, actor=moderator, reason="Cleared")

    assert [client.get(url).status_code for url in _public_urls(listing)] == [200, 200]


def _booking(service, *, days: float, status=Booking.Status.ACCEPTED, **fields):
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=days)
    return BookingFactory(service=service, start=start, status=status, **fields)


@pytest.fixture
def bookings(listing):
    """Two open future bookings, one that has begun, one completed, one cancelled already."""
    return {
        "pending": _booking(listing, days=3, status=Booking.Status.PENDING),
        "accepted": _booking(listing, days=1, cancellation_policy="strict"),
        "started": _booking(listing, days=-0.01),
        "completed": _booking(listing, days=-3, status=Booking.Status.COMPLETED),
        "cancelled": _booking(listing, days=5, status=Booking.Status.CANCELLED),
    }


def test_a_suspended_providers_open_bookings_are_cancelled_and_customers_told(
    listing, bookings, suspend
):
    suspend(listing.provider.user)

    status = {name: Booking.objects.get(pk=b.pk).status for name, b in bookings.items()}
    assert status == {
        "pending": "cancelled",
        "accepted": "cancelled",
        "started": "accepted",
        "completed": "completed",
        "cancelled": "cancelled",
    }
    for name in ("pending", "accepted"):
        booking = Booking.objects.get(pk=bookings[name].pk)
        assert booking.cancellation_reason == "account suspended"
        assert booking.cancellation_fee == Decimal("0")
        assert booking.cancelled_by == listing.provider.user
        told = Notification.objects.get(recipient=booking.customer, kind="booking_cancelled")
        assert "account suspended" in told.body
        assert BookingEvent.objects.filter(
            booking=booking, action=BookingEvent.Action.CANCELLED, actor=None
        ).exists()
    assert not Notification.objects.filter(
        recipient=listing.provider.user, kind="booking_cancelled"
    ).exists()


def test_suspending_only_the_provider_profile_cancels_its_bookings_too(
    moderator, listing, bookings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        provider_set_status(
            profile=listing.provider,
            status=ProviderProfile.Status.SUSPENDED,
            actor=moderator,
            reason=REASON,
        )

    assert Booking.objects.get(pk=bookings["accepted"].pk).status == "cancelled"
    listing.provider.user.refresh_from_db()
    assert listing.provider.user.is_active  # the account itself may still sign in


def test_a_suspended_customers_open_bookings_are_cancelled_without_a_fee(listing, suspend):
    customer = UserFactory()
    late = _booking(listing, days=0.2, customer=customer, cancellation_policy="strict")
    other_customers = _booking(listing, days=2)

    suspend(customer)

    late.refresh_from_db()
    assert (late.status, late.cancellation_fee) == ("cancelled", Decimal("0"))
    assert late.cancelled_by == customer
    told = Notification.objects.get(recipient=listing.provider.user, kind="booking_cancelled")
    assert told.url == late.get_absolute_url() and "account suspended" in told.body
    assert Booking.objects.get(pk=other_customers.pk).status == "accepted"


def test_nothing_is_cancelled_when_the_suspension_rolls_back(moderator, listing, bookings):
    """The cancellations follow the commit: a suspension that never committed (here, no
    on-commit callbacks run) cancels nothing."""
    user_suspend(user=listing.provider.user, actor=moderator, reason=REASON)

    assert Booking.objects.get(pk=bookings["accepted"].pk).status == "accepted"
