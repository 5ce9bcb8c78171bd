"""Every page reachable by links, as a visitor, a customer and a provider: none scrolls sideways
at 320 or 375 px, none has a serious or critical accessibility problem (axe-core), none fails.

axe-core comes from node_modules (package.json pins it; `make test` runs `npm ci`). Playwright
adds it to each page as an init script, which the site's Content-Security-Policy does not govern,
so the policy stays as strict as it is in production.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from django.urls import Resolver404, resolve
from django.utils.text import slugify

from e2e.conftest import overflow, sign_in

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (320, 375)
MAX_PAGES = 60  # per person
# Not pages to look at: the admin, files, and links that act (sign out, delete, downloads).
SKIP = re.compile(r"^/(admin|media|static|api)/|logout|delete|\.(ics|csv|pdf|jpe?g|png|svg)$")

LINKS_JS = """() => [...document.querySelectorAll("a[href]")]
  .filter((a) => !a.hasAttribute("download")).map((a) => a.href)"""
AXE_JS = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({id: v.id, impact: v.impact,
                  targets: v.nodes.slice(0, 5).map((n) => n.target.join(" "))}));
}"""


@pytest.fixture
def world(site, places):
    """A small catalogue like the demo's: two categories, three approved providers with
    photographed listings in Sydney, a customer with a booking, and a job with a quote."""
    from accounts.tests.factories import ProviderProfileFactory, UserFactory
    from bookings.tests.factories import BookingFactory, open_all_week
    from jobs import services as job_services
    from listings.models import Service
    from listings.tests.factories import (
        CategoryFactory,
        ServiceFactory,
        ServicePhotoFactory,
        SubcategoryFactory,
    )

    plumbing = CategoryFactory(name="Plumbing", slug="plumbing")
    taps = SubcategoryFactory(category=plumbing, name="Tap repair", slug="tap-repair")
    hot_water = SubcategoryFactory(category=plumbing, name="Hot water", slug="hot-water")
    cleaning = CategoryFactory(name="Cleaning", slug="cleaning")
    end_of_lease = SubcategoryFactory(category=cleaning, name="End of lease", slug="end-of-lease")
    providers = [
        ProviderProfileFactory(
            approved=True,
            business_name=name,
            slug=slugify(name),
            base_city=places["bondi"].city,
        )
        for name in ("Bondi Tap Doctors", "Eastern Suburbs Hot Water", "Spotless Bond Cleans")
    ]
    listings = [
        ServiceFactory(provider=providers[0], subcategory=taps, title="Leaking tap fixed today"),
        ServiceFactory(
            provider=providers[0],
            subcategory=taps,
            title="Tap and mixer replacement",
            price_type=Service.PriceType.HOURLY,
            price=Decimal("95"),
        ),
        ServiceFactory(provider=providers[1], subcategory=hot_water, title="Hot water installs"),
        ServiceFactory(
            provider=providers[2],
            subcategory=end_of_lease,
            title="Bond back end-of-lease clean",
            price_type=Service.PriceType.QUOTE,
            price=None,
        ),
        ServiceFactory(
            provider=providers[0],
            subcategory=taps,
            title="Outdoor taps (draft)",
            status=Service.Status.DRAFT,
        ),
    ]
    for listing in listings[:4]:
        ServicePhotoFactory(service=listing)
        ServicePhotoFactory(service=listing)
    for provider in providers:
        open_all_week(provider)

    customer = UserFactory(name="Casey Customer")
    BookingFactory(customer=customer, service=listings[0])
    job = job_services.job_post(
        customer=customer,
        subcategory=taps,
        title="Kitchen tap drips all night",
        description="The mixer in the kitchen drips; happy to replace it.",
        place="Bondi",
        budget_min=Decimal("100"),
        budget_max=Decimal("300"),
    )
    start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=6)
    job_services.quote_send(job=job, provider=providers[0], price=Decimal("180"), start=start)
    _conversation(customer, listings[0])
    _reviews(customer, listings[0])
    return {"customer": customer, "provider": providers[0].user}


def _reviews(customer, listing) -> None:
    """A published review with a reply by another customer (the listing's section, the report
    page, the portal's list), and a completed booking of the customer's waiting for a review
    (the review form). e2e/test_reviews.py checks the pages a walk by URL pattern misses."""
    from accounts.tests.factories import UserFactory
    from reviews import aggregates
    from reviews.models import ReviewResponse
    from reviews.tests.factories import ReviewFactory, completed_booking

    other = completed_booking(service=listing, customer=UserFactory(name="Priya Sharma"))
    review = ReviewFactory(booking=other, rating=4, quality=5, text="Quick, tidy and fair. " * 5)
    ReviewResponse.objects.create(review=review, author=listing.provider.user, text="Thank you!")
    aggregates.ratings_refresh(service_ids=[listing.pk], provider_ids=[listing.provider_id])
    completed_booking(service=listing, customer=customer)


def _conversation(customer, listing) -> None:
    """Messages both ways, with a photo, a masked phone number and a long unbroken word."""
    from chat import services as chat_services
    from chat.tests.factories import png

    conversation = chat_services.conversation_open(
        user=customer, provider=listing.provider, about=listing
    )
    chat_services.message_send(
        conversation=conversation,
        sender=customer,
        body="Can you come Tuesday? Call 0412 345 678. " + "x" * 120,
        photos=[png()],
        about=listing,
    )
    chat_services.message_send(
        conversation=conversation, sender=listing.provider.user, body="Tuesday works."
    )


@dataclass
class Crawl:
    """What one person's walk found: the pages (one per URL pattern) and the problems."""

    base: str
    pages: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)

    def pattern(self, url: str) -> str | None:
        """The URL pattern a same-origin link resolves to; None for links not to follow."""
        url = urldefrag(url).url
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.base or SKIP.search(parts.path):
            return None
        try:
            return resolve(parts.path).route
        except Resolver404:
            return parts.path  # a broken link: visit it, so it is reported

    def enqueue(self, urls: list[str]) -> None:
        for url in urls:
            pattern = self.pattern(url)
            if pattern is not None and pattern not in self.seen and len(self.pages) < MAX_PAGES:
                self.seen.add(pattern)
                self.pages.append(urldefrag(url).url)


def check_page(page, url: str, crawl: Crawl, *, first: bool) -> None:
    response = page.goto(url)
    if response is None or "text/html" not in response.headers.get("content-type", ""):
        return
    if response.status >= 500 or response.status == 404:
        crawl.problems.append(f"{url}: HTTP {response.status}")
        return
    if (found := overflow(page)) is not None:
        crawl.problems.append(found)
    if first:
        for violation in page.evaluate(AXE_JS):
            crawl.problems.append(
                f"{url}: axe {violation['impact']} {violation['id']} at {violation['targets']}"
            )
        crawl.enqueue(page.evaluate(LINKS_JS))


def walk(browser, base: str, start: str, signed_in: Callable | None) -> Crawl:
    """Visit every page reachable from `start`, at each width, in one browser context."""
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 800})
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    page.set_default_timeout(10_000)
    crawl = Crawl(base=base)
    page.on(
        "console",
        lambda message: (
            crawl.problems.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    try:
        if signed_in:
            signed_in(page)
        crawl.enqueue([base + start])
        index = 0
        while index < len(crawl.pages):  # the list grows as pages are read
            check_page(page, crawl.pages[index], crawl, first=True)
            index += 1
        for width in WIDTHS[1:]:
            page.set_viewport_size({"width": width, "height": 800})
            for url in crawl.pages:
                check_page(page, url, crawl, first=False)
    finally:
        context.close()
    return crawl


def test_every_reachable_page_fits_a_phone_and_passes_axe(site, world, browser):
    assert AXE.exists(), "axe-core is missing: run `npm ci` (make test does)"
    people = {
        "a visitor": ("/", None),
        "a customer": ("/", lambda page: sign_in(page, site.url, world["customer"].email)),
        "a provider": ("/portal/", lambda page: sign_in(page, site.url, world["provider"].email)),
    }
    # Pages that only some people reach by links: the walk must have found them.
    expected = {
        "a customer": {"bookings/<int:pk>/review/", "reviews/<int:pk>/report/"},
        "a provider": {"portal/reviews/"},
    }
    problems = []
    for who, (start, signed_in) in people.items():
        crawl = walk(browser, site.url, start, signed_in)
        # A walk that reaches only a handful of pages has lost its way (a redirect to sign-in).
        assert len(crawl.pages) >= 10, f"{who} reached only {crawl.pages}"
        assert expected.get(who, set()) <= crawl.seen, (who, expected[who] - crawl.seen)
        problems += [f"as {who}: {problem}" for problem in crawl.problems]
    assert not problems, "\n".join(problems)
