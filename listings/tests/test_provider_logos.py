"""Providers' photos or logos (or monograms) on cards, listing pages and public profiles."""

import re

import pytest
from django.core.files.base import ContentFile

from accounts.tests.factories import ProviderProfileFactory
from accounts.tests.test_services import image_upload

from .factories import ServiceFactory, ServicePhotoFactory, SubcategoryFactory

pytestmark = pytest.mark.django_db

LOGO = re.compile(r'<span class="provider-logo[^"]*" aria-hidden="true"><img src="([^"]+)"')
MONOGRAM = re.compile(r'<rect width="48" height="48" fill="(#[0-9a-f]{6})"/><text[^>]*>([^<]*)<')


def with_logo(provider):
    upload = image_upload()
    provider.logo.save("logo.jpg", ContentFile(upload.read()), save=True)
    return provider


@pytest.fixture
def lighting(db):
    return SubcategoryFactory(name="Lighting", slug="lighting")


@pytest.fixture
def pair(lighting):
    """Two providers in one city: one with an uploaded logo, one without."""
    logo = with_logo(ProviderProfileFactory(approved=True, business_name="Volt Brothers"))
    plain = ProviderProfileFactory(
        approved=True, business_name="Hills District Electrical", base_city=logo.base_city
    )
    return (
        ServiceFactory(provider=logo, subcategory=lighting, title="Downlights"),
        ServiceFactory(provider=plain, subcategory=lighting, title="Outdoor lights"),
    )


def test_cards_show_the_logo_or_the_monogram(client, pair):
    with_logo_service, plain_service = pair
    html = client.get(f"/lighting/{with_logo_service.city.slug}/").text
    assert LOGO.findall(html) == [with_logo_service.provider.logo.url]
    assert MONOGRAM.findall(html) == [(plain_service.provider.monogram_colour, "HD")]


def test_the_listing_page_shows_the_providers_logo_or_monogram(client, pair):
    with_logo_service, plain_service = pair
    assert (
        with_logo_service.provider.logo.url in client.get(with_logo_service.get_absolute_url()).text
    )
    html = client.get(plain_service.get_absolute_url()).text
    assert MONOGRAM.findall(html) == [(plain_service.provider.monogram_colour, "HD")]


def test_the_public_profile_shows_the_logo_or_monogram(client, pair):
    with_logo_service, plain_service = pair
    html = client.get(f"/pros/{with_logo_service.provider.slug}/").text
    # In the header and on each of its cards.
    assert LOGO.findall(html) == [with_logo_service.provider.logo.url] * 2
    html = client.get(f"/pros/{plain_service.provider.slug}/").text
    assert MONOGRAM.findall(html) == [(plain_service.provider.monogram_colour, "HD")] * 2


@pytest.mark.parametrize("count", [1, 20])
def test_cards_with_logos_keep_the_query_count(client, django_assert_num_queries, lighting, count):
    city = None
    for n in range(count):
        provider = ProviderProfileFactory(approved=True, **({"base_city": city} if city else {}))
        city = provider.base_city
        if n % 2:
            with_logo(provider)
        ServicePhotoFactory(service=ServiceFactory(provider=provider, subcategory=lighting))
    # subcategory (category miss first), city, service cards (providers and first photos)
    with django_assert_num_queries(4):
        html = client.get(f"/lighting/{city.slug}/").text
    assert len(LOGO.findall(html)) == count // 2
    assert len(MONOGRAM.findall(html)) == count - count // 2
