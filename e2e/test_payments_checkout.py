"""A customer books a service and pays by card in the card Element (localstripe's Stripe.js
stand-in, served by the site, talking to the test localstripe from the browser): the booking
is made and its page shows the payment held. A declined card shows Stripe's message and no
booking is made. The pages pass axe-core."""

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import sign_in
from e2e.test_crawl import AXE, AXE_JS

pytestmark = pytest.mark.browser


def sydney_listing(*, instant_book: bool):
    """A $180 fixed-price job of an approved Sydney provider open all week (Bondi findable)."""
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
    service = ServiceFactory(
        provider=provider,
        title="Safety switch install",
        duration_minutes=60,
        price="180.00",
        price_type="fixed",
        instant_book=instant_book,
    )
    open_all_week(provider)
    return service


@pytest.fixture
def listing(site):
    return sydney_listing(instant_book=True)


def _fill_the_booking(page: Page, url: str, listing) -> None:
    page.goto(url + f"/bookings/new/{listing.pk}/")
    expect(page.locator("[data-card-fields]")).to_contain_text("Total: $180.00 AUD")
    # With JavaScript the no-JavaScript note goes and the card Element is there.
    expect(page.locator("[data-card-nojs]")).to_be_hidden()
    page.locator(".slot").first.click()
    page.get_by_label("Street address").fill("12 Campbell Parade")
    page.get_by_label("Suburb or town").fill("Bondi")


def enter_card(page: Page, number: str = "4242424242424242") -> None:
    """Type a test card into the card Element (localstripe's inputs, labelled by card.js)."""
    page.get_by_label("Card number").fill(number)
    page.get_by_label("Expiry month (MM)").fill("12")
    page.get_by_label("Expiry year (YY)").fill("34")
    page.get_by_label("Security code").fill("123")
    page.get_by_label("Postcode").fill("2026")


def test_a_customer_books_and_pays_with_the_test_card(site, listing, page: Page):
    from accounts.tests.factories import UserFactory
    from bookings.models import Booking
    from payments.models import Payment, SavedCard

    customer = UserFactory(name="Casey Customer")
    page.context.add_init_script(path=str(AXE))
    sign_in(page, site.url, customer.email)
    _fill_the_booking(page, site.url, listing)
    assert page.evaluate(AXE_JS) == [], page.url
    enter_card(page, "4242 4242 4242 4242".replace(" ", ""))
    page.get_by_role("button", name="Book now").click()

    expect(page.get_by_text(re.compile("Your booking is confirmed"))).to_be_visible()
    panel = page.locator("[data-payment-panel]")
    expect(panel.locator("[data-payment-state]")).to_have_text("Payment held")
    expect(panel).to_contain_text("$180.00 AUD")
    expect(panel).to_contain_text("Visa ending 4242")
    assert page.evaluate(AXE_JS) == [], page.url

    booking = Booking.objects.get()
    payment = Payment.objects.get(booking=booking)
    assert (booking.status, payment.state) == ("accepted", "held")
    assert SavedCard.objects.get(user=customer).is_default

    # Next time the saved card is offered, chosen already.
    _fill_the_booking(page, site.url, listing)
    expect(page.get_by_label(re.compile("Visa ending 4242"))).to_be_checked()
    expect(page.locator("[data-new-card-panel]")).to_be_hidden()


def test_a_declined_card_shows_why_and_books_nothing(site, listing, page: Page):
    from accounts.tests.factories import UserFactory
    from bookings.models import Booking
    from payments.models import SavedCard

    customer = UserFactory(name="Casey Customer")
    sign_in(page, site.url, customer.email)
    _fill_the_booking(page, site.url, listing)
    error = page.locator("[data-card-error]")
    # No card typed: nothing is sent.
    page.get_by_role("button", name="Book now").click()
    expect(error).to_have_text(re.compile("^Enter your card number"))
    enter_card(page, "4000000000000002")
    page.get_by_role("button", name="Book now").click()

    expect(error).to_contain_text(re.compile("declined", re.I))
    expect(error).to_be_focused()
    assert page.url.endswith(f"/bookings/new/{listing.pk}/")
    assert not Booking.objects.exists()
    assert not SavedCard.objects.exists()


def test_a_failed_payment_is_paid_again_with_a_new_card(site, listing, page: Page):
    """The held card declined: the customer opens the booking, pays again with a new card and
    the payment is held; the saved cards page lists both cards."""
    from accounts.tests.factories import UserFactory
    from bookings.models import Booking
    from bookings.tests.factories import BookingFactory
    from payments.models import Payment
    from payments.services.lifecycle import payment_authorise
    from payments.services.opening import payment_open
    from payments.testing import CARD_CHARGE_DECLINED, card_saved

    customer = UserFactory(name="Casey Customer")
    card_saved(customer, CARD_CHARGE_DECLINED)
    booking = BookingFactory(service=listing, customer=customer, status=Booking.Status.ACCEPTED)
    booking.refresh_from_db()
    payment = payment_authorise(payment_id=payment_open(booking=booking).pk)
    assert payment.state == Payment.State.FAILED

    sign_in(page, site.url, customer.email)
    page.goto(site.url + booking.get_absolute_url())
    panel = page.locator("[data-payment-panel]")
    expect(panel.locator("[data-payment-state]")).to_have_text("Payment failed")
    panel.get_by_role("link", name="Pay again").click()
    page.get_by_label("Use a new card").check()
    enter_card(page)
    page.get_by_role("button", name="Pay with this card").click()

    expect(panel.locator("[data-payment-state]")).to_have_text("Payment held")
    payment.refresh_from_db()
    assert payment.state == Payment.State.HELD and payment.card.last4 == "4242"

    page.goto(site.url + "/")
    page.locator("[data-account-menu] summary").click()
    page.get_by_role("link", name="Payment methods").click()
    expect(page.locator(".saved-card")).to_have_count(2)
    expect(page.locator(".saved-card").first).to_contain_text("Default")
