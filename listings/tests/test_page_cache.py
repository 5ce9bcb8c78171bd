"""The catalogue pages through the anonymous page cache (marketplace/page_cache.py): served
from the cache to anonymous visitors, rendered afresh after each change they show (through
the real services and the admin), and never one person's page for another."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import ProviderProfile
from accounts.services import provider_profile_update, provider_set_status
from accounts.tests.factories import UserFactory
from listings.models import Service
from listings.services import service_photo_delete, service_set_status, service_update
from marketplace import page_cache
from marketplace.page_cache import MARKER_HEADER

from .factories import CategoryFactory, ServiceFactory, ServicePhotoFactory, SubcategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 60


@pytest.fixture
def service(db):
    subcategory = SubcategoryFactory(
        category=CategoryFactory(name="Electricians", slug="electricians"),
        name="Emergency electricians",
        slug="emergency-electricians",
    )
    return ServiceFactory(
        subcategory=subcategory,
        title="Switchboard upgrade",
        price=Decimal("120.00"),
        provider__business_name="Bright Spark Electrical",
    )


def pages(service: Service) -> dict[str, str]:
    city = service.city.slug
    return {
        "home": reverse("home"),
        "category": "/electricians/",
        "subcategory": "/emergency-electricians/",
        "category x city": f"/electricians/{city}/",
        "subcategory x city": f"/emergency-electricians/{city}/",
        "page 1 by price": f"/electricians/{city}/?page=1&sort=price",
        "listing": service.get_absolute_url(),
        "provider": reverse("provider_public", args=[service.provider.slug]),
    }


def warm(visitor: Client, *urls: str) -> None:
    """Each page stored, and served from the cache the second time."""
    for url in urls:
        visitor.get(url)
        assert visitor.get(url)[MARKER_HEADER] == "hit", url


def change(capture, write) -> None:
    with capture(execute=True):
        write()


@pytest.mark.parametrize(
    "name",
    [
        "home",
        "category",
        "subcategory",
        "category x city",
        "subcategory x city",
        "page 1 by price",
        "listing",
        "provider",
    ],
)
def test_an_anonymous_second_visit_is_served_from_the_cache_without_a_query(
    service, name, django_assert_num_queries
):
    url = pages(service)[name]
    visitor = Client()
    first = visitor.get(url)
    assert first.status_code == 200 and first[MARKER_HEADER] == "miss"

    with django_assert_num_queries(0):
        second = visitor.get(url)

    assert second.status_code == 200 and second[MARKER_HEADER] == "hit"
    assert second.content == first.content
    assert "Cookie" in second["Vary"]
    assert ">Sign in<" in second.text


def test_a_new_visitor_with_no_cookie_at_all_gets_the_stored_page(service):
    url = service.get_absolute_url()
    Client().get(url)
    response = Client().get(url)
    assert response[MARKER_HEADER] == "hit"
    # The device cookie is still set for this browser, by the middleware, after the cache.
    assert "nh_device" in response.cookies


def test_a_query_outside_the_allow_list_is_rendered_each_time(service):
    url = pages(service)["category x city"] + "?utm_source=mail"
    visitor = Client()
    assert MARKER_HEADER not in visitor.get(url)
    assert MARKER_HEADER not in visitor.get(url)
    near = pages(service)["category"] + "?where=Bondi"
    assert MARKER_HEADER not in visitor.get(near)


def test_an_edited_listing_and_its_new_price_show_on_every_page_at_once(
    service, django_capture_on_commit_callbacks
):
    urls = pages(service)
    shown = [urls[name] for name in ("category x city", "subcategory x city", "listing")]
    visitor = Client()
    warm(visitor, *shown, urls["provider"])

    change(
        django_capture_on_commit_callbacks,
        lambda: service_update(
            service=service,
            subcategory=service.subcategory,
            city=service.city,
            title="Switchboard upgrade",
            description="Now with surge protection.",
            price_type=Service.PriceType.FIXED,
            price=Decimal("145.00"),
            duration_minutes=service.duration_minutes,
            instant_book=service.instant_book,
            service_radius_km=service.service_radius_km,
            attributes={},
        ),
    )

    for url in [*shown, urls["provider"]]:
        response = visitor.get(url)
        assert response[MARKER_HEADER] == "miss", url
        assert "$145" in response.text and "$120" not in response.text, url
    assert "Now with surge protection." in visitor.get(urls["listing"]).text


def test_a_paused_listing_leaves_every_page_at_once(service, django_capture_on_commit_callbacks):
    urls = pages(service)
    visitor = Client()
    warm(visitor, urls["category x city"], urls["listing"], urls["provider"])

    change(
        django_capture_on_commit_callbacks,
        lambda: service_set_status(
            service=service, status=Service.Status.PAUSED, actor=service.provider.user
        ),
    )

    assert visitor.get(urls["listing"]).status_code == 404
    assert service.title not in visitor.get(urls["category x city"]).text
    assert service.title not in visitor.get(urls["provider"]).text


def test_a_suspended_provider_leaves_every_page_at_once(
    service, admin_user, django_capture_on_commit_callbacks
):
    urls = pages(service)
    visitor = Client()
    warm(visitor, urls["category x city"], urls["listing"], urls["provider"], urls["category"])

    change(
        django_capture_on_commit_callbacks,
        lambda: provider_set_status(
            profile=service.provider,
            status=ProviderProfile.Status.SUSPENDED,
            actor=admin_user,
            reason="Fake reviews",
        ),
    )

    assert visitor.get(urls["provider"]).status_code == 404
    assert visitor.get(urls["listing"]).status_code == 404
    assert service.title not in visitor.get(urls["category x city"]).text


def test_a_provider_profile_edit_shows_on_their_pages(service, django_capture_on_commit_callbacks):
    urls = pages(service)
    profile = service.provider
    visitor = Client()
    warm(visitor, urls["provider"], urls["listing"])

    change(
        django_capture_on_commit_callbacks,
        lambda: provider_profile_update(
            profile=profile,
            business_name=profile.business_name,
            bio="Family business, three generations of sparkies.",
            base_city=profile.base_city,
            base_point=profile.base_point,
            service_radius_km=profile.service_radius_km,
            phone="0400 000 000",
            licence_number=profile.licence_number,
        ),
    )

    assert "three generations of sparkies" in visitor.get(urls["provider"]).text


def test_a_deleted_photo_leaves_the_listing_page_at_once(
    service, django_capture_on_commit_callbacks
):
    photo = ServicePhotoFactory(service=service, alt_text="Before and after")
    url = service.get_absolute_url()
    visitor = Client()
    warm(visitor, url)
    assert "Before and after" in visitor.get(url).text

    change(django_capture_on_commit_callbacks, lambda: service_photo_delete(photo=photo))

    assert "Before and after" not in visitor.get(url).text


def test_a_category_renamed_in_the_admin_shows_on_every_page_at_once(
    service, admin_user, django_capture_on_commit_callbacks
):
    urls = pages(service)
    shown = [urls[name] for name in ("home", "category", "category x city", "listing")]
    visitor = Client()
    warm(visitor, *shown)
    category = service.subcategory.category
    subcategory = service.subcategory
    moderator = Client()
    moderator.force_login(admin_user)
    prefix = "subcategories"

    with django_capture_on_commit_callbacks(execute=True):
        response = moderator.post(
            reverse("admin:listings_category_change", args=[category.pk]),
            {
                "name": "Electrical",
                "slug": category.slug,
                "description": "",
                "position": 0,
                "platform_fee_percent": "",
                f"{prefix}-TOTAL_FORMS": 1,
                f"{prefix}-INITIAL_FORMS": 1,
                f"{prefix}-0-id": subcategory.pk,
                f"{prefix}-0-category": category.pk,
                f"{prefix}-0-name": subcategory.name,
                f"{prefix}-0-slug": subcategory.slug,
                f"{prefix}-0-position": 0,
            },
        )
    assert response.status_code == 302, response.text

    for url in shown:
        text = visitor.get(url).text
        assert ">Electrical<" in text or "Electrical</" in text, url
        assert "Electricians" not in text, url


def test_an_unannounced_change_shows_after_page_cache_seconds(service, monkeypatch):
    """A write that calls no service (here a bare UPDATE) is not announced: the page shows it
    once its entry is PAGE_CACHE_SECONDS old. The test moves the clock the page cache reads
    (marketplace.page_cache._now) instead of waiting."""
    import time

    start = time.time()
    monkeypatch.setattr(page_cache, "_now", lambda: start)
    url = service.get_absolute_url()
    visitor = Client()
    warm(visitor, url)
    Service.objects.filter(pk=service.pk).update(description="Changed behind the site's back.")

    monkeypatch.setattr(page_cache, "_now", lambda: start + 59)
    assert "Changed behind" not in visitor.get(url).text
    monkeypatch.setattr(page_cache, "_now", lambda: start + 60)
    assert "Changed behind" in visitor.get(url).text


# ------------------------------------------------ one person's page, never another's


@pytest.fixture
def alice(db):
    return UserFactory(name="Alice Applebaum")


@pytest.fixture
def bob(db):
    return UserFactory(name="Bob Brannigan")


@pytest.mark.parametrize("name", ["home", "category x city", "listing", "provider"])
def test_two_signed_in_people_each_get_their_own_page(service, alice, bob, name):
    url = pages(service)[name]
    first, second = Client(), Client()
    first.force_login(alice)
    second.force_login(bob)

    seen_by_alice = first.get(url)
    seen_by_bob = second.get(url)

    assert MARKER_HEADER not in seen_by_alice and MARKER_HEADER not in seen_by_bob
    assert "Alice Applebaum" in seen_by_alice.text
    assert "Bob Brannigan" in seen_by_bob.text and "Alice Applebaum" not in seen_by_bob.text


@pytest.mark.parametrize("name", ["home", "category x city", "listing", "provider"])
def test_an_anonymous_visit_after_a_signed_in_one_gets_the_anonymous_page(service, alice, name):
    url = pages(service)[name]
    signed_in = Client()
    signed_in.force_login(alice)
    signed_in.get(url)
    signed_in.get(url)

    anonymous = Client().get(url)

    assert anonymous[MARKER_HEADER] == "miss"
    assert "Alice Applebaum" not in anonymous.text and ">Sign in<" in anonymous.text


@pytest.mark.parametrize("name", ["home", "category x city", "listing", "provider"])
def test_a_signed_in_visit_after_a_cached_anonymous_one_gets_its_own_page(service, alice, name):
    url = pages(service)[name]
    warm(Client(), url)
    signed_in = Client()
    signed_in.force_login(alice)

    response = signed_in.get(url)

    assert MARKER_HEADER not in response
    assert "Alice Applebaum" in response.text and ">Sign in<" not in response.text
    # And the anonymous page is still the anonymous one.
    assert "Alice Applebaum" not in Client().get(url).text
