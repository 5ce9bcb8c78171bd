"""The "Insurance checked" badge is computed from the policy's date: gone on its expiry day."""

from datetime import timedelta

import pytest

from accounts.models import ProviderProfile, insurance_badge_today

from .factories import ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page", ["listing", "profile"])
def test_an_expired_policy_shows_no_insurance_badge(client, page):
    service = ServiceFactory(
        provider__insurance_verified=True, provider__insurance_expires_on=insurance_badge_today()
    )
    url = service.get_absolute_url() if page == "listing" else f"/pros/{service.provider.slug}/"
    assert "Insurance checked" not in client.get(url).text
    ProviderProfile.objects.filter(pk=service.provider.pk).update(
        insurance_expires_on=insurance_badge_today() + timedelta(days=1)
    )
    assert "Insurance checked" in client.get(url).text


def test_a_card_drops_verified_on_the_expiry_day(client):
    service = ServiceFactory(
        provider__licence_verified=True,
        provider__insurance_verified=True,
        provider__insurance_expires_on=insurance_badge_today(),
    )
    url = f"/{service.subcategory.slug}/{service.city.slug}/"
    assert "badge--verified" not in client.get(url).text
    ProviderProfile.objects.filter(pk=service.provider.pk).update(insurance_expires_on=None)
    assert "badge--verified" in client.get(url).text


def test_the_verified_search_filter_drops_a_policy_on_its_expiry_day(client):
    """The hourly task has not run yet: `insurance_verified` is still set, the date has passed."""
    service = ServiceFactory(
        title="Expired sparky",
        provider__licence_verified=True,
        provider__insurance_verified=True,
        provider__insurance_expires_on=insurance_badge_today(),
    )
    url = "/search/?verified=on"
    assert service.title not in client.get(url).text
    ProviderProfile.objects.filter(pk=service.provider.pk).update(insurance_expires_on=None)
    assert service.title in client.get(url).text


def test_the_portal_says_an_expired_policy_has_expired(client):
    service = ServiceFactory(
        provider__insurance_verified=True,
        provider__insurance_policy_number="PL-1",
        provider__insurance_expires_on=insurance_badge_today(),
    )
    client.force_login(service.provider.user)
    page = client.get("/portal/").text
    assert "Expired" in page and "Add your renewed policy" in page
    assert 'badge--verified">Verified' not in page
