"""Every provider portal page has the one portal navigation, marking where you are."""

import re

import pytest

from jobs import services as job_services
from listings.tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db

# page -> the nav link marked as this page ("page") or as its section ("true")
PAGES = {
    "/portal/": ("Overview", "page"),
    "/portal/listings/": ("Listings", "page"),
    "/portal/listings/new/": ("Listings", "true"),
    "/portal/listings/{service}/edit/": ("Listings", "true"),
    "/portal/listings/{service}/photos/": ("Listings", "true"),
    "/portal/bookings/": ("Requests", "page"),
    "/portal/bookings/calendar/": ("Calendar", "page"),
    "/portal/bookings/availability/": ("Working hours", "page"),
    "/portal/jobs/": ("Jobs near you", "page"),
    "/portal/jobs/{job}/": ("Jobs near you", "true"),
    "/portal/jobs/quotes/": ("Your quotes", "page"),
    "/portal/profile/": ("Profile", "page"),
}


def test_each_portal_page_marks_its_place_in_the_one_portal_nav(client, customer, places):
    service = ServiceFactory()
    job = job_services.job_post(
        customer=customer, subcategory=service.subcategory, title="Rewire", description="Old.",
        place="Bondi",
    )  # fmt: skip
    client.force_login(service.provider.user)
    for url, (label, current) in PAGES.items():
        page = client.get(url.format(service=service.pk, job=job.pk)).content.decode()
        assert page.count('aria-label="Provider portal"') == 1, url
        nav = page[page.index('aria-label="Provider portal"') :].split("</nav>")[0]
        marked = re.findall(r'aria-current="(page|true)">([^<]+)</a>', nav)
        assert marked == [(current, label)], url


def test_onboarding_has_no_portal_nav_yet(client, customer):
    client.force_login(customer)
    page = client.get("/portal/onboarding/").content.decode()
    assert 'aria-label="Provider portal"' not in page
