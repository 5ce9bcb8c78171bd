"""Layout in a real browser: the header's one row, the portal on a phone, the photos page."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from e2e.conftest import overflow, sign_in

pytestmark = pytest.mark.browser

# No hyphen in it: browsers break lines at hyphens, not at dots or "@".
LONG_EMAIL = "olivia.featherstonehaughmontgomery@harboursideplumbingandgasfitting.example.com"

# For each link and the account menu's summary in the header nav: how many lines its text takes
# (distinct tops of the text's line boxes) and its box, to check they share one row.
NAV_ITEMS_JS = """() => [...document.querySelectorAll(`
    .site-nav__list > li > a,
    .site-nav__list > li .account-menu > summary > span:not(.avatar)`)].map((el) => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const tops = new Set([...range.getClientRects()]
    .filter((r) => r.height > 0 && r.width > 0).map((r) => Math.round(r.top)));
  const box = el.getBoundingClientRect();
  return {text: el.textContent.trim().replace(/\\s+/g, " "), lines: tops.size,
          top: box.top, bottom: box.bottom};
})"""


def assert_header_on_one_row(page: Page) -> None:
    items = page.evaluate(NAV_ITEMS_JS)
    assert items, "no header links found"
    wrapped = [item["text"] for item in items if item["lines"] != 1]
    assert not wrapped, f"{page.url}: header labels on more than one line: {wrapped}"
    middles = [(item["top"] + item["bottom"]) / 2 for item in items]
    assert max(middles) - min(middles) < 2, f"{page.url}: header links not in one row: {items}"
    brand = page.locator(".site-header .brand").bounding_box()
    nav = page.locator(".site-nav").bounding_box()
    assert nav["y"] < brand["y"] + brand["height"] and brand["y"] < nav["y"] + nav["height"], (
        f"{page.url}: the nav is not on the logo's row"
    )
    expect(page.locator("[data-menu-toggle]")).to_be_hidden()
    assert overflow(page) is None, overflow(page)


def assert_header_collapsed(page: Page) -> None:
    toggle = page.locator("[data-menu-toggle]")
    expect(toggle).to_be_visible()
    brand, button = page.locator(".site-header .brand").bounding_box(), toggle.bounding_box()
    assert button["y"] < brand["y"] + brand["height"], f"{page.url}: the menu button wrapped"
    expect(page.locator("#site-menu")).to_be_hidden()
    toggle.click()
    expect(page.locator("#site-menu")).to_be_visible()
    expect(page.locator(".site-nav").get_by_role("link", name="Post a job")).to_be_visible()
    toggle.click()


@pytest.fixture
def listing(site):
    from listings.tests.factories import ServiceFactory

    return ServiceFactory(title="Hot water system replacement")


def header_pages(listing) -> list[str]:
    """The sign-in page, then pages with the header's search form (all but home and search),
    then home and search, which have none."""
    category = listing.subcategory.category
    return [
        reverse("account_login"),
        reverse("category", args=[category.slug]),
        listing.get_absolute_url(),
        reverse("home"),
        reverse("search") + "?q=hot+water",
    ]


@pytest.mark.parametrize("width", [1024, 1280])
def test_the_header_fits_one_row_from_1024_px(site, listing, page: Page, width):
    from accounts.tests.factories import UserFactory

    page.set_viewport_size({"width": width, "height": 800})
    for path in header_pages(listing):
        page.goto(site.url + path)
        assert_header_on_one_row(page)

    customer = UserFactory(name="Alexandra Papadopoulos-Wetherington")
    sign_in(page, site.url, customer.email)
    for path in [*header_pages(listing)[1:], reverse("booking_list")]:
        page.goto(site.url + path)
        assert_header_on_one_row(page)


@pytest.mark.parametrize("width", [320, 375, 1023])
def test_below_1024_px_the_header_collapses_behind_the_menu_button(
    site, listing, page: Page, width
):
    from accounts.tests.factories import UserFactory

    page.set_viewport_size({"width": width, "height": 800})
    for path in header_pages(listing):
        page.goto(site.url + path)
        assert_header_collapsed(page)
    sign_in(page, site.url, UserFactory().email)  # the bell joins the logo and the button
    page.goto(site.url + listing.get_absolute_url())
    assert_header_collapsed(page)


@pytest.mark.parametrize("width", [320, 375])
def test_the_pending_portal_fits_a_phone_with_a_long_email(site, page: Page, width):
    from accounts.tests.factories import ProviderProfileFactory

    profile = ProviderProfileFactory(
        user__email=LONG_EMAIL, business_name="Harbourside Plumbing and Gas Fitting Services"
    )  # pending approval, as onboarding leaves it
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, site.url, profile.user.email)
    page.goto(site.url + reverse("portal_home"))
    expect(page.locator("main").get_by_text(LONG_EMAIL)).to_be_visible()
    assert overflow(page) is None, overflow(page)
    if page.locator("[data-menu-toggle]").is_visible():
        page.locator("[data-menu-toggle]").click()
    page.locator(".account-menu > summary").click()
    assert overflow(page) is None, overflow(page)


def boxes_intersect(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


@pytest.mark.parametrize("width", [375, 1280])
def test_photos_page_headings_clear_the_empty_state_and_the_error_box(
    site, page: Page, width, tmp_path
):
    from listings.models import Service
    from listings.tests.factories import ServiceFactory

    service = ServiceFactory(title="Blocked drains cleared", status=Service.Status.DRAFT)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, site.url, service.provider.user.email)
    page.goto(site.url + reverse("portal_service_photos", args=[service.pk]))

    heading = page.get_by_role("heading", name="0 of", exact=False)
    empty = page.locator(".empty-state")
    expect(empty).to_be_visible()
    assert not boxes_intersect(heading.bounding_box(), empty.bounding_box())

    not_an_image = tmp_path / "invoice.png"
    not_an_image.write_text("this is not a picture")
    page.get_by_label("Add photos").set_input_files(not_an_image)
    page.get_by_role("button", name="Upload photos").click()
    errors = page.locator(".error-summary")
    expect(errors).to_be_visible()
    upload_heading = page.get_by_role("heading", name="Upload photos", exact=True)
    assert not boxes_intersect(upload_heading.bounding_box(), errors.bounding_box())
    assert not boxes_intersect(heading.bounding_box(), empty.bounding_box())


def test_on_a_phone_the_listing_keeps_its_price_and_booking_at_the_bottom(
    site, listing, page: Page
):
    page.set_viewport_size({"width": 375, "height": 700})
    page.goto(site.url + listing.get_absolute_url())
    bar = page.get_by_role("region", name="Price and booking")
    expect(bar).to_be_visible()
    expect(bar.get_by_text("$120")).to_be_visible()
    expect(bar.get_by_role("link", name="Ask for a quote")).to_be_visible()

    # At the top and halfway down, the bar sits on the bottom edge of the screen.
    for fraction in (0, 0.5):
        page.evaluate(f"window.scrollTo(0, document.body.scrollHeight * {fraction})")
        box = bar.bounding_box()
        assert abs(box["y"] + box["height"] - 700) < 1, box
    # At the end of the page it covers nothing: the last card ends above it.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    last_card = page.locator(".listing__aside .card").last.bounding_box()
    assert last_card["y"] + last_card["height"] <= bar.bounding_box()["y"]
    assert overflow(page) is None, overflow(page)

    bar.get_by_role("link", name="Book").click()
    expect(page).to_have_url(re.compile(rf"/bookings/new/{listing.pk}/"))


def test_on_a_wide_screen_the_listing_has_no_book_bar(site, listing, page: Page):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(site.url + listing.get_absolute_url())
    expect(page.locator(".book-bar")).to_be_hidden()
    expect(page.locator(".price-card").get_by_role("link", name="Book")).to_be_visible()


# Every layout shift since the page started loading (the browser keeps them), with what moved.
LAYOUT_SHIFTS_JS = """() => new Promise((resolve) => {
  new PerformanceObserver((list, observer) => {
    observer.disconnect();
    resolve(list.getEntries().filter((e) => !e.hadRecentInput).map((e) => ({
      value: e.value,
      moved: e.sources.map((s) => s.node ? s.node.nodeName + "." + s.node.className : "?"),
    })));
  }).observe({type: "layout-shift", buffered: true});
  setTimeout(() => resolve([]), 1000);
})"""


def test_on_a_phone_nothing_moves_when_the_scripts_run(site, listing, page: Page):
    """The menu is collapsed and the "Show map" button's place kept from the first paint
    (`scripting: enabled`), not when site.js and results-map.js run: before, the whole page
    below the header jumped up on a phone (a layout shift of 0.25) and the results down on
    search (0.15)."""
    page.set_viewport_size({"width": 412, "height": 823})
    for url in (reverse("home"), listing.get_absolute_url(), reverse("search") + "?q=hot+water"):
        page.goto(site.url + url)
        expect(page.locator("html.js")).to_have_count(1)
        expect(page.locator("[data-menu-toggle]")).to_be_visible()
        expect(page.locator("#site-menu")).to_be_hidden()
        if "search" in url:
            expect(page.locator("[data-map-toggle]")).to_be_visible()
        shifts = page.evaluate(LAYOUT_SHIFTS_JS)
        total = sum(shift["value"] for shift in shifts)
        assert total < 0.05, f"{url}: layout shifts adding up to {total:.3f}: {shifts}"


def test_without_scripts_a_phone_has_the_menu_open_and_no_map_button(site, browser):
    """`scripting: enabled` is false without JavaScript: nothing collapses the menu then, so it
    stays open, and no place is kept for a map button that cannot work."""
    context = browser.new_context(viewport={"width": 412, "height": 823}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site.url + reverse("search") + "?q=hot+water")
        expect(page.locator("#site-menu")).to_be_visible()
        expect(page.locator("[data-menu-toggle]")).to_be_hidden()
        expect(page.locator("[data-map-toggle]")).to_be_hidden()
    finally:
        context.close()
