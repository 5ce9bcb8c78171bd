"""A provider whose job was paid opens Earnings from the portal's navigation, sees the earning,
and sets up payout details (a mistake first), which are then shown masked. Each page passes
axe-core and fits a 320 px phone."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from e2e.test_booking import sign_in
from e2e.test_crawl import AXE
from e2e.test_reviews import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def paid(site):
    """A $180 job booked, accepted and completed, its payment charged on localstripe."""
    from django.db import transaction

    from accounts.tests.factories import ProviderProfileFactory, UserFactory
    from bookings.services import booking_accept, booking_complete
    from bookings.tests.factories import BookingFactory
    from listings.tests.factories import ServiceFactory
    from payments.models import Payment
    from payments.services.opening import payment_open
    from payments.testing import card_saved

    provider = ProviderProfileFactory(approved=True, business_name="Harbour Sparkies")
    service = ServiceFactory(
        provider=provider, title="Switchboard upgrade", price="180.00", price_type="fixed"
    )
    customer = UserFactory(name="Casey Customer")
    card_saved(customer)
    booking = BookingFactory(service=service, customer=customer)
    booking.refresh_from_db()
    payment_open(booking=booking)
    with transaction.atomic():
        booking_accept(booking=booking, actor=provider.user)
    with transaction.atomic():
        booking_complete(
            booking=booking, actor=provider.user, now=booking.start + timedelta(hours=2)
        )
    assert Payment.objects.get(booking=booking).state == Payment.State.PAID
    return provider


def test_a_provider_sees_the_earning_and_sets_up_payout_details(site, paid, page: Page):
    page.context.add_init_script(path=str(AXE))
    sign_in(page, site.url, paid.user.email)
    page.goto(site.url + "/portal/")
    page.get_by_role("navigation", name="Provider portal").get_by_role(
        "link", name="Earnings"
    ).click()
    expect(page.get_by_role("heading", name="Earnings", level=1)).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Switchboard upgrade")
    expect(row).to_contain_text("$180.00")
    expect(row).to_contain_text("$18.00")
    expect(row).to_contain_text("$162.00")
    expect(row).to_contain_text("Held")
    assert_accessible(page)

    page.get_by_role("link", name="Set up payout details").click()
    page.get_by_label("Account name").fill("Harbour Sparkies")
    page.get_by_label("BSB").fill("06-200")
    page.get_by_label("Account number").fill("12345678")
    page.get_by_role("button", name="Save payout details").click()
    expect(page.get_by_role("alert")).to_contain_text("A BSB is 6 digits")
    assert_accessible(page)

    page.get_by_label("BSB").fill("062-000")
    page.get_by_label("Account number").fill("12345678")
    page.get_by_role("button", name="Save payout details").click()
    expect(page.get_by_text("Your payout details are saved")).to_be_visible()
    expect(page.get_by_text("•••••678")).to_be_visible()
    expect(page.get_by_text("062-000", exact=True)).to_be_visible()
    assert_accessible(page)
