"""A customer posts a job, two providers quote, the customer accepts one and the other is
declined."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from e2e.test_booking import sign_in
from e2e.test_payments_checkout import enter_card

pytestmark = pytest.mark.browser


@pytest.fixture
def plumbers(site):
    from accounts.tests.factories import ProviderProfileFactory
    from listings.tests.factories import ServiceFactory, SubcategoryFactory
    from places.models import City
    from places.tests.factories import SuburbFactory

    sydney = City.objects.get(slug="sydney")
    SuburbFactory(city=sydney)  # Bondi
    taps = SubcategoryFactory(name="Tap repair")
    return [
        ServiceFactory(
            subcategory=taps,
            title=f"Taps by {name}",
            provider=ProviderProfileFactory(approved=True, business_name=name, base_city=sydney),
        ).provider
        for name in ("Drip Stoppers", "Bondi Plumbing Co")
    ]


def job_subcategory():
    from listings.models import Subcategory

    return Subcategory.objects.select_related("category").get(name="Tap repair")


def test_a_customer_posts_a_job_two_providers_quote_one_is_accepted(site, plumbers, page: Page):
    from accounts.tests.factories import UserFactory
    from bookings.models import Booking
    from jobs import services as job_services
    from jobs.models import JobRequest, Quote

    customer = UserFactory(name="Casey Customer")
    winner, other = plumbers

    # The customer posts a job from the header link.
    sign_in(page, site.url, customer.email)
    page.goto(site.url + "/")
    page.get_by_role("link", name="Post a job").first.click()
    taps = job_subcategory()
    page.get_by_label("Kind of job").select_option(label=f"{taps.category.name}: Tap repair")
    page.get_by_label("Job title").fill("Fix a leaking tap")
    page.get_by_label("What needs doing").fill("The kitchen tap drips all night.")
    page.get_by_label("Suburb or town").fill("Bondi")
    page.get_by_label(re.compile("^Budget up to")).fill("300")
    page.get_by_role("button", name="Post job").click()
    expect(page.get_by_text(re.compile("Your job is posted"))).to_be_visible()
    job = JobRequest.objects.get()

    # One provider quotes through the portal.
    sign_in(page, site.url, winner.user.email)
    page.goto(site.url + "/portal/")
    page.get_by_role("link", name="Jobs near you").first.click()
    page.get_by_role("link", name="Fix a leaking tap").click()
    day = (timezone.now() + timedelta(days=4)).date()
    page.get_by_label(re.compile("^Your price")).fill("185")
    page.get_by_label("Start date").fill(day.isoformat())
    page.get_by_label("Start time").fill("09:30")
    page.get_by_label("Message to the customer").fill("Washer, cartridge and labour.")
    page.get_by_role("button", name="Send quote").click()
    expect(page.get_by_text("Quote sent.", exact=False)).to_be_visible()

    # The other quotes through the service.
    job_services.quote_send(
        job=job,
        provider=other,
        price=Decimal("240"),
        start=timezone.now() + timedelta(days=5),
    )

    # The customer compares and accepts the first.
    sign_in(page, site.url, customer.email)
    page.goto(site.url + "/")
    page.locator("[data-account-menu] summary").click()
    page.get_by_role("link", name="My jobs").click()
    page.get_by_role("link", name="Fix a leaking tap").click()
    expect(page.locator("[data-quote]")).to_have_count(2)
    expect(page.get_by_text("9:30 am", exact=False)).to_be_visible()
    enter_card(page)  # the accepted quote is paid by card
    page.get_by_role("button", name="Accept the quote from Drip Stoppers").click()

    expect(page.get_by_text(re.compile("Booked with Drip Stoppers"))).to_be_visible()
    expect(page.locator(".booking-head .pill")).to_have_text("Confirmed")
    booking = Booking.objects.get()
    assert booking.status == "accepted" and booking.price == Decimal("185.00")

    page.goto(site.url + f"/jobs/{job.pk}/")
    expect(page.locator('[data-quote="Bondi Plumbing Co"] [data-quote-status]')).to_have_text(
        "Declined"
    )
    expect(page.locator('[data-quote="Drip Stoppers"] [data-quote-status]')).to_have_text(
        "Accepted"
    )
    assert Quote.objects.get(provider=other).status == "declined"


def test_the_customer_asks_for_a_new_time_the_provider_revises_and_it_is_accepted(
    site, plumbers, page: Page
):
    from accounts.tests.factories import UserFactory
    from bookings.models import Booking
    from jobs import services as job_services
    from jobs.models import Quote

    customer = UserFactory(name="Casey Customer")
    provider = plumbers[0]
    job = job_services.job_post(
        customer=customer, subcategory=job_subcategory(), title="Fix a leaking tap",
        description="Drips.", place="Bondi",
    )  # fmt: skip
    first = job_services.quote_send(
        job=job, provider=provider, price=Decimal("185"), start=timezone.now() + timedelta(days=3)
    )

    # The customer asks for another time, with a note.
    sign_in(page, site.url, customer.email)
    page.goto(site.url + f"/jobs/{job.pk}/")
    page.get_by_text("Ask for a new time from Drip Stoppers").click()
    page.get_by_label("Note for Drip Stoppers").fill("Mornings after 8 please")
    page.get_by_role("button", name="Ask for a new time", exact=True).click()
    expect(page.get_by_text(re.compile("We asked Drip Stoppers for a new time"))).to_be_visible()
    expect(page.locator('[data-quote="Drip Stoppers"] [data-quote-status]')).to_have_text(
        "New time asked for"
    )

    # The provider sees the request in Your quotes, and revises on the job page.
    sign_in(page, site.url, provider.user.email)
    page.goto(site.url + "/portal/jobs/quotes/")
    page.get_by_role("link", name=re.compile("asked for a new time")).click()
    expect(page.get_by_text("Mornings after 8 please", exact=False).first).to_be_visible()
    day = (timezone.now() + timedelta(days=4)).astimezone(job.zone).date()
    page.get_by_label(re.compile("^Your price")).fill("195")
    page.get_by_label("Start date").fill(day.isoformat())
    page.get_by_label("Start time").fill("08:30")
    page.get_by_role("button", name="Send revised quote").click()
    expect(page.get_by_text("Revised quote sent.", exact=False)).to_be_visible()

    # The customer sees both in the quote's history and accepts the revised one.
    sign_in(page, site.url, customer.email)
    page.goto(site.url + f"/jobs/{job.pk}/")
    card = page.locator('[data-quote="Drip Stoppers"]')
    expect(card.locator("[data-quote-history]")).to_contain_text("Replaced by a revised quote")
    expect(card).to_contain_text("8:30 am")
    enter_card(page)
    page.get_by_role("button", name="Accept the quote from Drip Stoppers").click()
    expect(page.get_by_text(re.compile("Booked with Drip Stoppers"))).to_be_visible()
    booking = Booking.objects.get()
    assert booking.price == Decimal("195.00")
    assert Quote.objects.get(pk=first.pk).status == "revised"
