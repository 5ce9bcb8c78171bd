"""Browser journeys: search, filter in place, near me, open a listing."""

import re
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

BONDI = Point(151.2743, -33.8915, srid=4326)


@pytest.fixture
def catalogue(site):
    from accounts.tests.factories import ProviderProfileFactory
    from listings.services import search_terms_refresh
    from listings.tests.factories import CategoryFactory, ServiceFactory, SubcategoryFactory
    from places.models import City, Suburb

    sydney = City.objects.get(slug="sydney")
    Suburb.objects.create(city=sydney, name="Bondi", state="NSW", point=BONDI)
    category = CategoryFactory(name="Electrical", slug="electrical")
    emergency = SubcategoryFactory(
        category=category, name="Emergency electricians", slug="emergency-electricians"
    )

    def offer(title: str, km_north: float, rating: str) -> None:
        point = Point(BONDI.x, BONDI.y + km_north / 111.195, srid=4326)
        provider = ProviderProfileFactory(approved=True, base_city=sydney, base_point=point)
        ServiceFactory(
            provider=provider, subcategory=emergency, title=title, point=point,
            service_radius_km=30, rating_average=Decimal(rating), rating_count=12,
        )  # fmt: skip

    offer("Bondi Sparks emergency electrician", 2, "4.9")
    offer("Eastern Suburbs emergency electrician", 5, "3.4")
    offer("Harbour emergency electrician", 9, "4.6")
    search_terms_refresh()
    return site


def test_a_customer_searches_filters_in_place_and_opens_a_listing(catalogue, page: Page):
    page.goto(catalogue.url + "/search/")
    page.get_by_label("What do you need?").first.fill("emergancy electrician")
    page.locator("#id_where").fill("Bondi")
    page.locator("#search-form").get_by_role("button", name="Search").click()

    expect(page.get_by_text("Showing results for")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("near Bondi, NSW")
    cards = page.locator("[data-result] .service-card__title")
    expect(cards).to_have_count(3)
    expect(page.get_by_text("2.0 km away")).to_be_visible()

    # Filtering swaps the results in place: the page (and this marker) survive.
    page.evaluate("window.__searchMarker = 'still here'")
    url_before = page.url
    filters = page.locator("[data-search-filters]")
    if filters.get_attribute("open") is None:
        filters.locator("summary").click()
    page.get_by_label("Rating").select_option("4.5")

    expect(page).to_have_url(re.compile(r"min_rating=4\.5"))
    expect(cards).to_have_count(2)
    expect(page.get_by_text("Eastern Suburbs emergency electrician")).to_have_count(0)
    assert page.url != url_before
    assert page.evaluate("window.__searchMarker") == "still here"
    expect(page.get_by_role("link", name=re.compile("4.5 stars and up"))).to_be_visible()

    # The URL can be shared: loading it shows the same results.
    page.reload()
    expect(cards).to_have_count(2)

    page.get_by_role("link", name="Bondi Sparks emergency electrician").click()
    expect(page).to_have_url(re.compile(r"/services/\d+-bondi-sparks-emergency-electrician/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bondi Sparks emergency electrician")


def test_near_me_lists_what_covers_you_nearest_first(catalogue, page: Page):
    page.context.grant_permissions(["geolocation"], origin=catalogue.url)
    page.context.set_geolocation({"latitude": BONDI.y, "longitude": BONDI.x})
    page.goto(catalogue.url + "/search/")

    page.get_by_role("button", name="Near me").click()

    expect(page).to_have_url(re.compile(r"lat=-33\.89"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Services near you")
    expect(page.locator("[data-result] .service-card__title").first).to_have_text(
        "Bondi Sparks emergency electrician"
    )
    expect(page.locator(".result-marker")).to_have_count(3)


def test_near_me_explains_a_refusal(catalogue, page: Page):
    page.context.clear_permissions()
    page.goto(catalogue.url + "/search/")
    page.evaluate(
        """() => {
            navigator.geolocation.getCurrentPosition = (ok, fail) =>
                fail({ code: 1, PERMISSION_DENIED: 1 });
        }"""
    )

    page.get_by_role("button", name="Near me").click()

    expect(page.get_by_text("Location access is turned off for this site")).to_be_visible()
