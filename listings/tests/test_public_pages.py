"""Public catalogue pages: category, category x city, listing, provider profile."""

import re
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse

from accounts.models import ProviderProfile
from accounts.tests.factories import ProviderProfileFactory, UserFactory
from listings.models import Service
from places.tests.factories import CityFactory

from .factories import (
    CategoryFactory,
    ServiceFactory,
    ServicePhotoFactory,
    SubcategoryFactory,
)

pytestmark = pytest.mark.django_db

HIDDEN_STATUSES = [Service.Status.DRAFT, Service.Status.PAUSED, Service.Status.HIDDEN]
HIDDEN_PROVIDER_STATUSES = [
    ProviderProfile.Status.PENDING,
    ProviderProfile.Status.REJECTED,
    ProviderProfile.Status.SUSPENDED,
]


@pytest.fixture
def sydney(db):
    return CityFactory()


@pytest.fixture
def melbourne(db):
    return CityFactory(
        name="Melbourne",
        state="VIC",
        point=Point(144.96332, -37.81421, srid=4326),
        timezone="Australia/Melbourne",
        population=4_900_000,
    )


@pytest.fixture
def electricians(db):
    return CategoryFactory(name="Electricians", slug="electricians")


@pytest.fixture
def emergency(electricians):
    return SubcategoryFactory(
        category=electricians,
        name="Emergency electricians",
        slug="emergency-electricians",
        attribute_schema=[
            {"name": "after_hours", "label": "Available after hours", "type": "boolean"},
            {"name": "callout_fee", "label": "Call-out fee", "type": "number"},
            {"name": "brand", "label": "Brands", "type": "choice", "choices": ["Clipsal", "HPM"]},
            {"name": "notes", "label": "Notes", "type": "text"},
        ],
    )


@pytest.fixture
def lighting(electricians):
    return SubcategoryFactory(category=electricians, name="Lighting", slug="lighting")


def hidden_services(subcategory, city):
    """One service for every way a listing can be non-public."""
    services = [
        ServiceFactory(subcategory=subcategory, provider__base_city=city, status=status)
        for status in HIDDEN_STATUSES
    ]
    services += [
        ServiceFactory(subcategory=subcategory, provider__base_city=city, provider__status=status)
        for status in HIDDEN_PROVIDER_STATUSES
    ]
    return services


def listed_titles(response) -> list[str]:
    return re.findall(r'class="service-card__link" href="[^"]+">([^<]+)</a>', response.text)


# ---------------------------------------------------------------- Category pages


def test_category_page_lists_subcategories_and_cities_with_public_counts(
    client, electricians, emergency, lighting, sydney, melbourne
):
    ServiceFactory.create_batch(2, subcategory=emergency)
    ServiceFactory(subcategory=lighting)
    ServiceFactory(subcategory=lighting, provider__base_city=melbourne)
    hidden_services(emergency, sydney)
    hidden_services(lighting, CityFactory(name="Hobart", state="TAS"))

    response = client.get("/electricians/")

    assert response.status_code == 200
    html = response.text
    assert "<h1>Electricians</h1>" in html
    assert 'href="/emergency-electricians/"' in html
    assert 'href="/lighting/"' in html
    assert re.search(r"Emergency electricians</span>\s*<span[^>]*>2 listings<", html)
    assert re.search(r"Lighting</span>\s*<span[^>]*>2 listings<", html)
    assert re.search(r'href="/electricians/sydney/">.*?3 listings<', html, re.S)
    assert re.search(r'href="/electricians/melbourne/">.*?1 listing<', html, re.S)
    assert "/electricians/hobart/" not in html  # only non-public services there


def test_subcategory_page_lists_cities_and_siblings(client, emergency, lighting, melbourne):
    ServiceFactory(subcategory=emergency)
    ServiceFactory(subcategory=emergency, provider__base_city=melbourne)
    ServiceFactory(subcategory=lighting)
    hidden_services(emergency, CityFactory(name="Perth", state="WA"))

    response = client.get("/emergency-electricians/")

    assert response.status_code == 200
    html = response.text
    assert 'href="/electricians/">Electricians</a>' in html  # breadcrumb to the category
    assert 'href="/emergency-electricians/sydney/"' in html
    assert 'href="/emergency-electricians/melbourne/"' in html
    assert "/emergency-electricians/perth/" not in html
    assert 'href="/lighting/"' in html  # a sibling subcategory


def test_category_page_without_listings_explains(client, electricians):
    response = client.get("/electricians/")
    assert response.status_code == 200
    assert "No electricians listed yet" in response.text


def test_unknown_category_is_404(client):
    assert client.get("/no-such-thing/").status_code == 404


@pytest.mark.parametrize("count", [1, 20])
def test_category_page_query_count(client, django_assert_num_queries, emergency, count):
    cities = [CityFactory(name=f"Town {n}") for n in range(count)]
    for city in cities:
        ServiceFactory(subcategory=emergency, provider__base_city=city)
    SubcategoryFactory.create_batch(count - 1, category=emergency.category)
    # category, city counts, best rated (none rated: no photos), subcategory counts,
    # subcategories
    with django_assert_num_queries(5):
        response = client.get("/electricians/")
    assert response.text.count('href="/electricians/town-') == count


@pytest.mark.parametrize("count", [1, 20])
def test_subcategory_page_query_count(client, django_assert_num_queries, emergency, count):
    for n in range(count):
        ServiceFactory(subcategory=emergency, provider__base_city=CityFactory(name=f"Town {n}"))
    # category (miss), subcategory, city counts, best rated (none rated), siblings
    with django_assert_num_queries(5):
        response = client.get("/emergency-electricians/")
    assert response.text.count('href="/emergency-electricians/town-') == count


# ---------------------------------------------------------------- Category x city


def test_city_page_shows_cards(client, emergency, lighting, sydney, melbourne):
    verified = ProviderProfileFactory(
        approved=True,
        business_name="Volt Brothers",
        licence_verified=True,
        insurance_verified=True,
    )
    with_photo = ServiceFactory(
        subcategory=emergency,
        provider=verified,
        title="Blackout call-out",
        price_type=Service.PriceType.HOURLY,
        price=Decimal("65.00"),
        rating_average=Decimal("4.75"),
        rating_count=12,
    )
    photo = ServicePhotoFactory(service=with_photo)
    ServiceFactory(subcategory=lighting, title="Downlight install", price=Decimal("90"))
    ServiceFactory(
        subcategory=lighting,
        title="Garden lighting design",
        price_type=Service.PriceType.QUOTE,
        price=None,
    )
    ServiceFactory(subcategory=emergency, provider__base_city=melbourne, title="Elsewhere")

    response = client.get("/electricians/sydney/")

    assert response.status_code == 200
    html = response.text
    assert "<h1>Electricians in Sydney</h1>" in html
    assert sorted(listed_titles(response)) == [
        "Blackout call-out",
        "Downlight install",
        "Garden lighting design",
    ]
    assert f'href="{with_photo.get_absolute_url()}"' in html
    assert photo.thumbnail.url in html
    assert 'service-card__placeholder" aria-hidden="true">L<' in html  # Lighting, no photo
    assert re.search(r"Volt Brothers</span>\s*<span class=\"badge badge--verified\">Verified", html)
    assert html.count("badge--verified") == 1
    assert "$65/hr" in html
    assert "from $90" in html
    assert ">Quote<" in html
    assert "Rated 4.8 out of 5 from 12 reviews" in html
    assert "stars--10" in html  # 4.75 rounds to five stars in half-star steps
    assert html.count(">New<") == 2
    assert 'href="/lighting/sydney/"' in html  # narrow down by subcategory


def test_city_page_shows_only_public_services(client, emergency, sydney):
    ServiceFactory(subcategory=emergency, title="Public one")
    hidden = hidden_services(emergency, sydney)

    for url in ("/electricians/sydney/", "/emergency-electricians/sydney/"):
        response = client.get(url)
        assert listed_titles(response) == ["Public one"]
        for service in hidden:
            assert service.title not in response.text


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", ["Top", "Popular", "Good", "Quote", "Dear", "Cheap"]),
        ("rating", ["Top", "Popular", "Good", "Quote", "Dear", "Cheap"]),
        ("price", ["Cheap", "Good", "Top", "Popular", "Dear", "Quote"]),
        ("-price", ["Dear", "Popular", "Top", "Good", "Cheap", "Quote"]),
        ("newest", ["Quote", "Dear", "Cheap", "Good", "Popular", "Top"]),
        ("nonsense", ["Top", "Popular", "Good", "Quote", "Dear", "Cheap"]),
    ],
)
def test_city_page_sorting(client, emergency, sort, expected):
    rows = [
        ("Top", "150", "4.90", 10),
        ("Popular", "200", "4.60", 80),
        ("Good", "100", "4.60", 5),
        ("Cheap", "50", "0", 0),
        ("Dear", "900", "0", 0),
        ("Quote", None, "0", 0),
    ]
    for title, price, average, count in rows:
        ServiceFactory(
            subcategory=emergency,
            title=title,
            price=price and Decimal(price),
            price_type=Service.PriceType.QUOTE if price is None else Service.PriceType.FIXED,
            rating_average=Decimal(average),
            rating_count=count,
        )
    response = client.get("/emergency-electricians/sydney/", {"sort": sort} if sort else {})
    assert listed_titles(response) == expected


def test_city_page_paginates_without_a_total(client, emergency):
    for n in range(21):
        ServiceFactory(subcategory=emergency, title=f"Job {n:02d}")

    first = client.get("/emergency-electricians/sydney/", {"sort": "newest"})
    assert len(listed_titles(first)) == 20
    assert "Job 00" not in listed_titles(first)
    assert "Page 1" in first.text
    assert 'rel="next" href="?sort=newest&amp;page=2"' in first.text
    assert 'rel="prev"' not in first.text
    assert " of " not in re.search(r"Page 1[^<]*<", first.text).group(0)

    second = client.get("/emergency-electricians/sydney/", {"sort": "newest", "page": 2})
    assert second.status_code == 200
    assert listed_titles(second) == ["Job 00"]
    assert "Page 2" in second.text
    assert 'rel="prev" href="?sort=newest"' in second.text
    assert 'rel="next"' not in second.text


def test_city_page_with_one_page_has_no_pagination(client, emergency):
    ServiceFactory(subcategory=emergency)
    response = client.get("/emergency-electricians/sydney/")
    assert 'class="pagination"' not in response.text


@pytest.mark.parametrize(
    "page", ["2", "0", "-1", "abc", "100000", "²", "٣", "1e309", "99999999999999999999", ""]
)
def test_city_page_beyond_the_results_is_404(client, emergency, page):
    ServiceFactory(subcategory=emergency)
    assert client.get("/emergency-electricians/sydney/", {"page": page}).status_code == 404


def test_city_without_services_shows_a_helpful_empty_state(client, emergency, melbourne):
    ServiceFactory(subcategory=emergency)  # in Sydney only
    hidden_services(emergency, melbourne)

    response = client.get("/emergency-electricians/melbourne/")

    assert response.status_code == 200
    html = response.text
    assert "No emergency electricians in Melbourne yet" in html
    assert 'href="/emergency-electricians/sydney/"' in html  # where they are
    assert listed_titles(response) == []


@pytest.mark.parametrize(
    "url", ["/electricians/atlantis/", "/no-such-thing/sydney/", "/no-such-thing/atlantis/"]
)
def test_city_page_unknown_slugs_are_404(client, electricians, sydney, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("count", [1, 20])
@pytest.mark.parametrize("url", ["/electricians/sydney/", "/emergency-electricians/sydney/"])
def test_city_page_query_count(client, django_assert_num_queries, emergency, url, count):
    for n in range(count):
        service = ServiceFactory(subcategory=emergency, rating_count=n)
        ServicePhotoFactory.create_batch(2, service=service)
    # category (+ subcategory miss or chips), city, service cards (first photos included)
    with django_assert_num_queries(4):
        response = client.get(url)
    assert len(listed_titles(response)) == count


# ---------------------------------------------------------------- Listing page


def test_listing_page_shows_the_service(client, emergency):
    provider = ProviderProfileFactory(
        approved=True, business_name="Volt Brothers", licence_verified=True
    )
    service = ServiceFactory(
        subcategory=emergency,
        provider=provider,
        title="Blackout call-out",
        description="We come at any hour.\n\nFully licensed.",
        price_type=Service.PriceType.HOURLY,
        price=Decimal("65.50"),
        duration_minutes=90,
        service_radius_km=40,
        attributes={"after_hours": True, "callout_fee": 80, "brand": "Clipsal"},
    )
    photos = ServicePhotoFactory.create_batch(3, service=service)

    response = client.get(service.get_absolute_url())

    assert response.status_code == 200
    html = response.text
    assert "<h1>Blackout call-out</h1>" in html
    assert "<p>We come at any hour.</p>" in html
    assert "$65.50 an hour" in html
    assert "About 1 hr 30 min" in html
    assert "<dt>Available after hours</dt><dd>Yes</dd>" in html
    assert "<dt>Call-out fee</dt><dd>80</dd>" in html
    assert "<dt>Brands</dt><dd>Clipsal</dd>" in html
    assert "Notes" not in html  # not filled in: skipped
    assert photos[0].image.url in html
    assert photos[2].thumbnail.url in html
    assert f'href="{reverse("provider_public", kwargs={"slug": provider.slug})}"' in html
    assert "Licence checked" in html
    assert "Verified</span>" not in html  # licence alone is not "verified"
    assert "Serves within 40 km of Sydney." in html
    assert 'data-service-map data-lat="-33.87" data-lng="151.21" data-radius-km="40"' in html
    assert "preview-banner" not in html


def test_listing_boolean_false_reads_no(client, emergency):
    service = ServiceFactory(subcategory=emergency, attributes={"after_hours": False})
    response = client.get(service.get_absolute_url())
    assert "<dt>Available after hours</dt><dd>No</dd>" in response.text


def test_listing_without_photos_shows_a_placeholder(client, emergency):
    service = ServiceFactory(subcategory=emergency, price_type="quote", price=None)
    html = client.get(service.get_absolute_url()).text
    assert 'gallery__placeholder" aria-hidden="true">E<' in html
    assert "Price on quote" in html


def test_listing_wrong_slug_redirects_to_the_canonical_url(client, emergency):
    service = ServiceFactory(subcategory=emergency, title="Blackout call-out")
    response = client.get(f"/services/{service.pk}-old-title/")
    assert response.status_code == 301
    assert response["Location"] == f"/services/{service.pk}-blackout-call-out/"


@pytest.mark.parametrize("pk", ["999999", "99999999999999999999999"])
def test_unknown_listing_is_404(client, pk):
    assert client.get(f"/services/{pk}-nothing/").status_code == 404


def test_pages_answer_head_requests(client, emergency):
    service = ServiceFactory(subcategory=emergency)
    for url in ("/electricians/", "/electricians/sydney/", service.get_absolute_url()):
        assert client.head(url).status_code == 200


@pytest.mark.parametrize("status", HIDDEN_STATUSES)
def test_non_public_listing_is_previewed_by_its_provider_only(client, emergency, status):
    service = ServiceFactory(subcategory=emergency, status=status)
    url = service.get_absolute_url()

    assert client.get(url).status_code == 404
    assert client.get(f"/services/{service.pk}-wrong/").status_code == 404  # no redirect leak
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(ProviderProfileFactory(approved=True).user)
    assert client.get(url).status_code == 404

    client.force_login(service.provider.user)
    response = client.get(url)
    assert response.status_code == 200
    assert (
        f"Preview: only you can see this listing (status: {service.get_status_display()})."
        in response.text
    )
    assert '<meta name="robots" content="noindex, nofollow">' in response.text
    assert "application/ld+json" not in response.text


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (ProviderProfile.Status.PENDING, "your profile is waiting for approval"),
        (ProviderProfile.Status.REJECTED, "your profile was not approved"),
        (ProviderProfile.Status.SUSPENDED, "your profile is suspended"),
    ],
)
def test_listing_of_unapproved_provider_is_previewed_by_the_provider(
    client, emergency, status, reason
):
    service = ServiceFactory(subcategory=emergency, provider__status=status)
    assert client.get(service.get_absolute_url()).status_code == 404
    client.force_login(service.provider.user)
    response = client.get(service.get_absolute_url())
    assert response.status_code == 200
    assert f"Preview: only you can see this listing ({reason})." in response.text


def test_owner_sees_public_listing_without_a_banner(client, emergency):
    service = ServiceFactory(subcategory=emergency)
    client.force_login(service.provider.user)
    response = client.get(service.get_absolute_url())
    assert response.status_code == 200
    assert "Preview:" not in response.text


@pytest.mark.parametrize("photos", [1, 20])
def test_listing_query_count(client, django_assert_num_queries, emergency, photos):
    service = ServiceFactory(subcategory=emergency)
    ServicePhotoFactory.create_batch(photos, service=service)
    with django_assert_num_queries(2):  # the service with everything it shows, its photos
        response = client.get(service.get_absolute_url())
    assert response.text.count("/media/services/") >= photos


# ---------------------------------------------------------------- Provider profile


def test_provider_profile_shows_public_services(client, emergency, lighting):
    provider = ProviderProfileFactory(
        approved=True,
        business_name="Volt Brothers",
        bio="Family business.\n\nSince 1999.",
        licence_verified=True,
        insurance_verified=True,
        service_radius_km=45,
        rating_average=Decimal("4.5"),
        rating_count=3,
    )
    ServiceFactory(subcategory=emergency, provider=provider, title="Blackout call-out")
    ServiceFactory(subcategory=lighting, provider=provider, title="Downlights")
    for status in HIDDEN_STATUSES:
        ServiceFactory(
            subcategory=lighting, provider=provider, title=f"Secret {status}", status=status
        )

    response = client.get(f"/pros/{provider.slug}/")

    assert response.status_code == 200
    html = response.text
    assert "<h1>Volt Brothers</h1>" in html
    assert "<p>Family business.</p>" in html
    assert "Sydney, NSW" in html
    assert "Up to 45 km" in html
    assert "Licence checked" in html and "Insurance checked" in html
    assert "Rated 4.5 out of 5 from 3 reviews" in html
    assert sorted(listed_titles(response)) == ["Blackout call-out", "Downlights"]
    assert "Secret" not in html


def test_provider_profile_without_public_services(client):
    provider = ProviderProfileFactory(approved=True)
    response = client.get(f"/pros/{provider.slug}/")
    assert response.status_code == 200
    assert "No services listed right now" in response.text


@pytest.mark.parametrize("status", HIDDEN_PROVIDER_STATUSES)
def test_unapproved_provider_profile_is_404(client, status):
    provider = ProviderProfileFactory(status=status)
    ServiceFactory(provider=provider)
    assert client.get(f"/pros/{provider.slug}/").status_code == 404
    client.force_login(provider.user)  # not even for themselves: it is the public page
    assert client.get(f"/pros/{provider.slug}/").status_code == 404


def test_unknown_provider_is_404(client):
    assert client.get("/pros/nobody/").status_code == 404


@pytest.mark.parametrize("count", [1, 20])
def test_provider_profile_query_count(client, django_assert_num_queries, emergency, count):
    provider = ProviderProfileFactory(approved=True)
    for _ in range(count):
        ServicePhotoFactory(service=ServiceFactory(provider=provider, subcategory=emergency))
    with django_assert_num_queries(2):  # provider, service cards (first photos included)
        response = client.get(f"/pros/{provider.slug}/")
    assert len(listed_titles(response)) == count


# ---------------------------------------------------------------- CSP


@pytest.mark.parametrize(
    "url",
    ["/electricians/", "/electricians/sydney/", "listing", "provider", "/electricians/perth/"],
)
def test_pages_have_no_inline_script_or_style(client, emergency, url):
    service = ServiceFactory(subcategory=emergency)
    ServicePhotoFactory(service=service)
    CityFactory(name="Perth", state="WA")
    url = {
        "listing": service.get_absolute_url(),
        "provider": f"/pros/{service.provider.slug}/",
    }.get(url, url)
    html = client.get(url).text
    assert " style=" not in html
    assert "<style" not in html
    assert not re.search(r"\son[a-z]+=", html)
    for script in re.findall(r"<script[^>]*>", html):
        assert " src=" in script or 'type="application/ld+json"' in script
