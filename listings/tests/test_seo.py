"""SEO: canonical links, meta descriptions, robots.txt, the sitemap and schema.org data."""

import json
import re
from decimal import Decimal

import pytest

from accounts.models import ProviderProfile
from accounts.tests.factories import ProviderProfileFactory
from listings.models import Service
from places.tests.factories import CityFactory

from .factories import (
    CategoryFactory,
    ServiceFactory,
    ServicePhotoFactory,
    SubcategoryFactory,
)

pytestmark = pytest.mark.django_db

SITE = "https://nearhand.example"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    from django.contrib.sites.models import Site

    Site.objects.update_or_create(
        pk=settings.SITE_ID, defaults={"domain": "nearhand.example", "name": "Nearhand"}
    )
    Site.objects.clear_cache()


@pytest.fixture
def emergency(db):
    category = CategoryFactory(name="Electricians", slug="electricians")
    return SubcategoryFactory(
        category=category, name="Emergency electricians", slug="emergency-electricians"
    )


def canonical(response) -> str:
    return re.search(r'<link rel="canonical" href="([^"]+)">', response.text).group(1)


def meta_description(response) -> str:
    return re.search(r'<meta name="description" content="([^"]*)">', response.text).group(1)


def json_ld(response) -> dict:
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', response.text, re.S)
    assert len(scripts) == 1
    return json.loads(scripts[0])


# ---------------------------------------------------------------- Canonical and description


def test_every_page_has_an_absolute_canonical_and_a_description(client, emergency):
    service = ServiceFactory(subcategory=emergency, description="Fast help when the power is out.")
    pages = {
        "/electricians/": f"{SITE}/electricians/",
        "/emergency-electricians/": f"{SITE}/emergency-electricians/",
        "/electricians/sydney/": f"{SITE}/electricians/sydney/",
        "/emergency-electricians/sydney/?sort=price": f"{SITE}/emergency-electricians/sydney/",
        f"/services/{service.pk}-old/": None,  # redirects
        service.get_absolute_url(): f"{SITE}{service.get_absolute_url()}",
        f"/pros/{service.provider.slug}/": f"{SITE}/pros/{service.provider.slug}/",
    }
    for url, expected in pages.items():
        response = client.get(url, follow=True)
        assert canonical(response) == (expected or f"{SITE}{service.get_absolute_url()}"), url
        assert len(meta_description(response)) > 40, url
    assert "Fast help when the power is out." in meta_description(
        client.get(service.get_absolute_url())
    )
    assert "Sydney" in meta_description(client.get("/electricians/sydney/"))


def test_later_pages_are_their_own_canonical_and_sorted_pages_are_noindex(client, emergency):
    for _ in range(21):
        ServiceFactory(subcategory=emergency)
    second = client.get("/emergency-electricians/sydney/", {"page": 2, "sort": "price"})
    assert canonical(second) == f"{SITE}/emergency-electricians/sydney/?page=2"
    assert '<meta name="robots" content="noindex, follow">' in second.text
    first = client.get("/emergency-electricians/sydney/")
    assert 'name="robots"' not in first.text


# ---------------------------------------------------------------- robots.txt


def test_robots_txt(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Allow: /" in lines
    for path in (
        "/portal/",
        "/accounts/",
        "/admin/",
        "/api/",
        "/bookings/",
        "/messages/",
        "/notifications/",
        "/search/",
    ):
        assert f"Disallow: {path}" in lines
    assert f"Sitemap: {SITE}/sitemap.xml" in lines


# ---------------------------------------------------------------- Sitemap


def sitemap_locations(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return re.findall(r"<loc>([^<]+)</loc>", response.content.decode())


def test_sitemap_index_names_each_section(client, emergency):
    ServiceFactory(subcategory=emergency)
    assert sitemap_locations(client, "/sitemap.xml") == [
        f"{SITE}/sitemap-categories.xml",
        f"{SITE}/sitemap-services.xml",
        f"{SITE}/sitemap-providers.xml",
    ]


def test_sitemap_lists_only_public_pages(client, emergency):
    melbourne = CityFactory(name="Melbourne", state="VIC")
    perth = CityFactory(name="Perth", state="WA")
    lighting = SubcategoryFactory(category=emergency.category, name="Lighting", slug="lighting")
    public = ServiceFactory(subcategory=emergency)
    public_melbourne = ServiceFactory(subcategory=lighting, provider__base_city=melbourne)
    hidden = [
        ServiceFactory(subcategory=emergency, provider__base_city=perth, status=status)
        for status in (Service.Status.DRAFT, Service.Status.PAUSED, Service.Status.HIDDEN)
    ]
    hidden += [
        ServiceFactory(subcategory=emergency, provider__base_city=perth, provider__status=status)
        for status in (ProviderProfile.Status.PENDING, ProviderProfile.Status.SUSPENDED)
    ]
    ProviderProfileFactory(approved=True)  # approved but nothing public to show

    assert sitemap_locations(client, "/sitemap-categories.xml") == [
        f"{SITE}/electricians/melbourne/",
        f"{SITE}/electricians/sydney/",
        f"{SITE}/emergency-electricians/sydney/",
        f"{SITE}/lighting/melbourne/",
    ]
    assert sitemap_locations(client, "/sitemap-services.xml") == [
        f"{SITE}{public.get_absolute_url()}",
        f"{SITE}{public_melbourne.get_absolute_url()}",
    ]
    assert sitemap_locations(client, "/sitemap-providers.xml") == [
        f"{SITE}/pros/{public.provider.slug}/",
        f"{SITE}/pros/{public_melbourne.provider.slug}/",
    ]
    everything = client.get("/sitemap-services.xml").content.decode()
    for service in hidden:
        assert service.get_absolute_url() not in everything


def test_sitemap_unknown_section_or_page_is_404(client, emergency):
    ServiceFactory(subcategory=emergency)
    assert client.get("/sitemap-nothing.xml").status_code == 404
    assert client.get("/sitemap-services.xml", {"p": 2}).status_code == 404


@pytest.mark.parametrize("count", [1, 20])
@pytest.mark.parametrize(
    ("section", "queries"), [("categories", 1), ("services", 2), ("providers", 2)]
)
def test_sitemap_query_count(client, django_assert_num_queries, emergency, count, section, queries):
    for n in range(count):
        ServiceFactory(subcategory=emergency, provider__base_city=CityFactory(name=f"Town {n}"))
    client.get("/robots.txt")  # warm the sites framework cache
    from django.contrib.sites.models import Site

    Site.objects.get_current()
    with django_assert_num_queries(queries):  # (count +) the page
        response = client.get(f"/sitemap-{section}.xml")
    assert response.content.decode().count("<loc>") == (
        2 * count if section == "categories" else count
    )


# ---------------------------------------------------------------- schema.org


def test_listing_json_ld(client, emergency):
    provider = ProviderProfileFactory(
        approved=True, business_name="Volt & Sons", rating_average=Decimal("4.8"), rating_count=9
    )
    service = ServiceFactory(
        subcategory=emergency,
        provider=provider,
        title="Power out? </script><script>alert(1)</script>",
        price=Decimal("120.00"),
        rating_average=Decimal("4.60"),
        rating_count=5,
    )
    photo = ServicePhotoFactory(service=service)

    response = client.get(service.get_absolute_url())

    assert "</script><script>alert(1)" not in response.text
    assert "\\u003C/script\\u003E" in response.text
    data = json_ld(response)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Service"
    assert data["name"] == service.title
    assert data["url"] == f"{SITE}{service.get_absolute_url()}"
    assert data["offers"] == {
        "@type": "Offer",
        "priceCurrency": "AUD",
        "price": "120.00",
        "url": f"{SITE}{service.get_absolute_url()}",
    }
    assert data["provider"]["@type"] == "LocalBusiness"
    assert data["provider"]["name"] == "Volt & Sons"
    assert data["provider"]["url"] == f"{SITE}/pros/{provider.slug}/"
    assert data["provider"]["address"]["addressLocality"] == "Sydney"
    assert data["provider"]["aggregateRating"]["reviewCount"] == 9
    assert data["aggregateRating"] == {
        "@type": "AggregateRating",
        "ratingValue": "4.60",
        "reviewCount": 5,
        "bestRating": 5,
        "worstRating": 1,
    }
    assert data["image"] == [f"{SITE}{photo.image.url}"]
    assert data["areaServed"]["geoRadius"] == 25000


def test_listing_json_ld_without_ratings_or_price(client, emergency):
    service = ServiceFactory(subcategory=emergency, price_type="quote", price=None)
    data = json_ld(client.get(service.get_absolute_url()))
    assert "aggregateRating" not in data
    assert "aggregateRating" not in data["provider"]
    assert "price" not in data["offers"]
    assert data["offers"]["priceCurrency"] == "AUD"


def test_hourly_listing_json_ld_has_a_unit_price(client, emergency):
    service = ServiceFactory(subcategory=emergency, price_type="hourly", price=Decimal("65"))
    offer = json_ld(client.get(service.get_absolute_url()))["offers"]
    assert offer["priceSpecification"]["unitCode"] == "HUR"
    assert offer["priceSpecification"]["price"] == "65.00"


def test_provider_json_ld(client, emergency):
    provider = ProviderProfileFactory(
        approved=True, business_name="Volt Brothers", bio="Family business."
    )
    ServiceFactory(subcategory=emergency, provider=provider)
    data = json_ld(client.get(f"/pros/{provider.slug}/"))
    assert data["@type"] == "LocalBusiness"
    assert data["name"] == "Volt Brothers"
    assert data["description"] == "Family business."
    assert data["url"] == f"{SITE}/pros/{provider.slug}/"
    assert "aggregateRating" not in data

    provider.rating_average, provider.rating_count = Decimal("4.5"), 2
    provider.save()
    data = json_ld(client.get(f"/pros/{provider.slug}/"))
    assert data["aggregateRating"]["ratingValue"] == "4.50"
    assert data["aggregateRating"]["reviewCount"] == 2


def test_catalogue_pages_have_no_json_ld_noise(client, emergency):
    ServiceFactory(subcategory=emergency)
    for url in ("/electricians/", "/electricians/sydney/"):
        assert "application/ld+json" not in client.get(url).text
