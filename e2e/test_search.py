"""Browser journeys: search, filter in place, near me, open a listing."""

import re
from datetime import UTC, datetime, timedelta

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
    from reviews.aggregates import ratings_refresh
    from reviews.tests.factories import ReviewFactory

    sydney = City.objects.get(slug="sydney")
    Suburb.objects.create(city=sydney, name="Bondi", state="NSW", point=BONDI)
    category = CategoryFactory(name="Electrical", slug="electrical")
    emergency = SubcategoryFactory(
        category=category, name="Emergency electricians", slug="emergency-electricians"
    )

    def offer(title: str, km_north: float, stars: list[int]) -> None:
        point = Point(BONDI.x, BONDI.y + km_north / 111.195, srid=4326)
        provider = ProviderProfileFactory(approved=True, base_city=sydney, base_point=point)
        service = ServiceFactory(
            provider=provider, subcategory=emergency, title=title, point=point,
            service_radius_km=30,
        )  # fmt: skip
        # Its rating is computed from reviews of completed jobs, one a week back.
        for weeks, rating in enumerate(stars, start=1):
            start = now - timedelta(weeks=weeks)
            ReviewFactory(booking__service=service, booking__start=start, rating=rating)
        ratings_refresh(service_ids=[service.pk], provider_ids=[provider.pk])

    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    offer("Bondi Sparks emergency electrician", 2, [5] * 11 + [4])  # 4.9 (12)
    offer("Eastern Suburbs emergency electrician", 5, [3] * 7 + [4] * 5)  # 3.4 (12)
    offer("Harbour emergency electrician", 9, [5] * 7 + [4] * 5)  # 4.6 (12)
    search_terms_refresh()
    return site


def test_a_customer_searches_filters_in_place_and_opens_a_listing(catalogue, page: Page):
    page.goto(catalogue.url + "/search/")
    # "electrishan" is in no listing, so the words as typed find nothing: they are corrected.
    page.get_by_label("What do you need?").first.fill("emergancy electrishan")
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


def test_on_a_phone_the_filters_wait_behind_a_button(catalogue, page: Page):
    page.set_viewport_size({"width": 375, "height": 667})
    page.goto(catalogue.url + "/search/?q=emergency+electrician&where=Bondi&min_rating=4")

    filters = page.locator("[data-search-filters]")
    summary = filters.locator("summary")
    expect(summary).to_have_text("Filters (1)")
    expect(page.get_by_label("Rating")).to_be_hidden()
    first = page.locator("[data-result] .service-card__title").first
    expect(first).to_be_visible()
    box = first.bounding_box()
    assert box is not None and box["y"] < 667, box  # on the first screen, unscrolled
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    # A keyboard user opens them from the labelled button.
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Rating")).to_be_visible()
    page.get_by_label("Verified providers only").check()
    expect(page).to_have_url(re.compile(r"verified=on"))
    expect(summary).to_have_text("Filters (2)")


def test_on_a_wide_screen_the_filters_show(catalogue, page: Page):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(catalogue.url + "/search/?q=emergency+electrician")

    expect(page.locator("[data-search-filters] summary")).to_have_text("Filters")
    expect(page.get_by_label("Rating")).to_be_visible()
    expect(page.get_by_label("City")).to_be_visible()


def test_a_business_name_finds_the_provider_and_a_typo_offers_the_words_as_typed(
    catalogue, page: Page
):
    from accounts.models import ProviderProfile

    provider = ProviderProfile.objects.get(services__title="Harbour emergency electrician")
    provider.business_name = "Priya's Electrical"
    provider.save()

    page.goto(catalogue.url + "/search/?q=Priya%27s+Electrical")
    expect(page.get_by_text("Showing results for")).to_have_count(0)
    expect(page.locator("[data-result] .service-card__title").first).to_have_text(
        "Harbour emergency electrician"
    )
    page.locator(".search-providers").get_by_role("link", name="Priya's Electrical").click()
    expect(page).to_have_url(re.compile(rf"/pros/{provider.slug}/$"))

    page.goto(catalogue.url + "/search/?q=emergancy+electrishan")
    expect(page.get_by_text("Showing results for")).to_be_visible()
    page.get_by_role("link", name="Search instead for “emergancy electrishan”").click()
    expect(page).to_have_url(re.compile(r"as_typed=1"))
    expect(
        page.get_by_role("heading", level=2, name=re.compile("No services match"))
    ).to_be_visible()
