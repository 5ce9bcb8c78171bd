"""A customer books a slot; the provider accepts it in the portal; the customer sees it
confirmed, and the notification."""

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.test_payments_checkout import enter_card

pytestmark = pytest.mark.browser


def sign_in(page: Page, url: str, email: str) -> None:
    from accounts.tests.factories import PASSWORD

    page.context.clear_cookies()
    page.goto(url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    expect(page.get_by_role("button", name=re.compile("sign in", re.I))).to_have_count(0)


@pytest.fixture
def listing(site):
    from accounts.tests.factories import ProviderProfileFactory
    from bookings.tests.factories import open_all_week
    from listings.tests.factories import ServiceFactory
    from places.models import City
    from places.tests.factories import SuburbFactory

    sydney = City.objects.get(slug="sydney")
    SuburbFactory(city=sydney)  # Bondi
    provider = ProviderProfileFactory(
        approved=True, business_name="Harbour Sparkies", base_city=sydney
    )
    service = ServiceFactory(provider=provider, title="Safety switch install", duration_minutes=60)
    open_all_week(provider)
    return service


def test_a_customer_books_the_provider_accepts_the_customer_is_told(site, listing, page: Page):
    from accounts.tests.factories import UserFactory
    from bookings.models import Booking

    customer = UserFactory(name="Casey Customer")
    sign_in(page, site.url, customer.email)

    # A day past the booking window says how far ahead bookings open, and links the last day.
    page.goto(site.url + f"/bookings/new/{listing.pk}/?date=2099-12-31")
    expect(page.locator("[data-day-notice]")).to_contain_text("Bookings open 60 days ahead")
    page.get_by_role("link", name=re.compile("^See free times on the last bookable day")).click()
    expect(page.locator("[data-day-notice]")).to_have_count(0)
    expect(page.locator(".day-strip__day.is-current")).to_be_visible()

    page.goto(site.url + listing.get_absolute_url())
    page.get_by_role("link", name=re.compile("^Book")).click()
    expect(page.get_by_role("heading", name="Book a time")).to_be_visible()
    expect(page.get_by_text("Times are Sydney time.")).to_be_visible()
    # The page opens on the first day with free times; it shows the fee timeline of its first
    # time, and of another time once that is picked.
    fees = page.locator("[data-fee-timeline]")
    expect(fees).to_contain_text(page.locator(".slot").first.inner_text().strip())
    second = page.locator(".slot input").nth(1)
    page.locator(".slot").nth(1).click()
    expect(fees.locator("[data-fee-sentence]")).to_have_text(second.get_attribute("data-fees"))
    expect(fees.locator("[data-fee-slot]")).to_have_text(second.get_attribute("data-slot-label"))
    page.locator(".slot").first.click()
    chosen = page.locator(".slot").first.inner_text().strip()
    expect(fees.locator("[data-fee-slot]")).to_have_text(chosen)
    page.get_by_label("Street address").fill("12 Campbell Parade")
    page.get_by_label("Suburb or town").fill("Bondi")
    page.get_by_label(re.compile("^Notes for the provider")).fill("Side gate is open.")
    enter_card(page)  # paid by card, held until the job is done
    page.get_by_role("button", name="Request booking").click()

    expect(page.get_by_text(re.compile("Request sent to Harbour Sparkies"))).to_be_visible()
    expect(page.locator(".booking-head .pill")).to_have_text("Waiting for the provider")
    expect(page.get_by_text(chosen.split(" ")[0], exact=False).first).to_be_visible()
    booking = Booking.objects.get()
    assert booking.status == "pending"

    # The provider sees the request is theirs to answer, and answers from the portal.
    sign_in(page, site.url, listing.provider.user.email)
    page.goto(site.url + booking.get_absolute_url())
    expect(page.locator(".booking-head .pill")).to_contain_text(
        "Waiting for you: accept or decline by"
    )
    page.goto(site.url + "/portal/")
    page.get_by_role("link", name="Booking requests").click()
    expect(page.get_by_role("heading", name="Needs your answer")).to_be_visible()
    expect(page.get_by_role("link", name="Safety switch install")).to_be_visible()
    # The answer buttons are inside the request's card, not below it.
    card = page.locator(".booking-row").first
    accept = card.get_by_role("button", name=re.compile("^Accept"))
    expect(accept).to_be_visible()
    box, button = card.bounding_box(), accept.bounding_box()
    assert box["y"] <= button["y"] and button["y"] + button["height"] <= box["y"] + box["height"]
    accept.click()
    expect(page.get_by_text("Booking accepted. The customer has been told.")).to_be_visible()
    booking.refresh_from_db()
    assert booking.status == "accepted"

    # The customer sees it confirmed, and the notification.
    sign_in(page, site.url, customer.email)
    page.goto(site.url + "/")
    page.locator("[data-account-menu] summary").click()
    page.get_by_role("link", name="My bookings").click()
    expect(page.get_by_role("heading", name="My bookings")).to_be_visible()
    row = page.locator(".booking-row").first
    expect(row.locator(".pill")).to_have_text("Confirmed")
    row.get_by_role("link", name="Safety switch install").click()
    expect(page.locator(".timeline")).to_contain_text("accepted the booking")

    page.get_by_role("link", name=re.compile("^Notifications")).first.click()
    expect(page.get_by_text(re.compile("Your booking is confirmed for"))).to_be_visible()
