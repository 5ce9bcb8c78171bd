"""The whole paid job, through the pages: a customer requests a booking and pays with the test
card, the provider accepts (the card is authorised) and, once the job has taken place, marks it
completed (the card is charged); the customer downloads the tax invoice from the booking, and the
provider sees the earning on the Earnings page. Against the test localstripe."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import sign_in
from e2e.test_payments_checkout import enter_card, sydney_listing

pytestmark = pytest.mark.browser


@pytest.fixture
def listing(site):
    return sydney_listing(instant_book=False)


def _the_job_took_place(booking) -> None:
    """Time passes: the booked hour is now two hours ago (only then can a job be completed)."""
    from django.utils import timezone
    from psycopg.types.range import Range

    from bookings.models import Booking

    start = timezone.now() - timedelta(hours=2)
    Booking.objects.filter(pk=booking.pk).update(period=Range(start, start + timedelta(hours=1)))


def test_book_pay_accept_complete_invoice_and_earning(site, listing, page: Page, browser):
    from accounts.tests.factories import UserFactory
    from bookings.models import Booking
    from payments.models import Payment

    customer = UserFactory(name="Casey Customer")
    sign_in(page, site.url, customer.email)
    page.goto(site.url + f"/bookings/new/{listing.pk}/")
    page.locator(".slot").first.click()
    page.get_by_label("Street address").fill("12 Campbell Parade")
    page.get_by_label("Suburb or town").fill("Bondi")
    enter_card(page)
    page.get_by_role("button", name=re.compile("request", re.I)).click()
    panel = page.locator("[data-payment-panel]")
    expect(panel.locator("[data-payment-state]")).to_have_text(re.compile("Card saved"))
    booking = Booking.objects.get()

    provider_page = browser.new_context().new_page()
    sign_in(provider_page, site.url, listing.provider.user.email)
    provider_page.goto(site.url + booking.get_absolute_url())
    provider_page.get_by_role("button", name="Accept booking").click()
    provider_panel = provider_page.locator("[data-payment-panel]")
    expect(provider_panel.locator("[data-payment-state]")).to_have_text("Payment held")
    assert Payment.objects.get(booking=booking).state == "held"

    _the_job_took_place(booking)
    provider_page.reload()
    provider_page.get_by_role("button", name="Mark job completed").click()
    expect(provider_panel.locator("[data-payment-state]")).to_have_text("Paid")

    page.reload()
    expect(panel.locator("[data-payment-state]")).to_have_text("Paid")
    with page.expect_download() as download:
        panel.get_by_role("link", name=re.compile("invoice", re.I)).first.click()
    path = download.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert download.value.suggested_filename.startswith("NH-")

    provider_page.goto(site.url + "/portal/earnings/")
    payment = Payment.objects.get(booking=booking)
    earning = (payment.amount_cents - payment.fee_cents) / 100
    expect(provider_page.locator("main")).to_contain_text(f"${earning:,.2f}")
    expect(provider_page.locator("main")).to_contain_text("Safety switch install")
