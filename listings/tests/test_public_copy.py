"""Service.provider_approved: the provider's status copied by triggers, so service_public()
needs no join. Whatever changes the status or writes the service, the copy follows."""

import pytest

from accounts.models import ProviderProfile
from accounts.services import provider_set_status
from accounts.tests.factories import ProviderProfileFactory, UserFactory
from listings.models import Service
from listings.selectors import service_public

from .factories import ServiceFactory

pytestmark = pytest.mark.django_db

Status = ProviderProfile.Status


def _public_ids() -> set[int]:
    return set(service_public().values_list("pk", flat=True))


def test_a_status_change_through_the_service_hides_and_shows_the_listings():
    moderator = UserFactory(is_staff=True)
    provider = ProviderProfileFactory(approved=True)
    listings = ServiceFactory.create_batch(2, provider=provider, status=Service.Status.ACTIVE)
    other = ServiceFactory(provider=ProviderProfileFactory(approved=True))
    assert _public_ids() == {listings[0].pk, listings[1].pk, other.pk}

    provider_set_status(profile=provider, status=Status.SUSPENDED, actor=moderator, reason="Fake")
    assert _public_ids() == {other.pk}

    provider_set_status(profile=provider, status=Status.APPROVED, actor=moderator)
    assert _public_ids() == {listings[0].pk, listings[1].pk, other.pk}


def test_listings_of_a_pending_provider_go_public_on_approval_even_by_a_bulk_update():
    provider = ProviderProfileFactory(status=Status.PENDING)
    listing = ServiceFactory(provider=provider, status=Service.Status.ACTIVE)
    assert _public_ids() == set()

    ProviderProfile.objects.filter(pk=provider.pk).update(status=Status.APPROVED)
    assert _public_ids() == {listing.pk}


def test_saving_a_stale_listing_does_not_bring_back_a_suspended_providers_copy():
    provider = ProviderProfileFactory(approved=True)
    listing = ServiceFactory(provider=provider, status=Service.Status.ACTIVE)
    stale = Service.objects.get(pk=listing.pk)  # read while the provider was approved
    provider.status = Status.SUSPENDED
    provider.save()

    stale.title = "Edited"
    stale.save()
    assert _public_ids() == set()


def test_a_listing_moved_to_another_provider_takes_that_providers_status():
    listing = ServiceFactory(provider=ProviderProfileFactory(approved=True))
    Service.objects.filter(pk=listing.pk).update(provider=ProviderProfileFactory(status="pending"))
    assert _public_ids() == set()
