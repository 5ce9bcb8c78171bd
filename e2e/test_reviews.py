"""A customer reviews a completed booking; the provider replies from the portal and rates the
customer; another user reports the review; a moderator hides it in the admin, with a reason
the author is shown. Each review page passes axe-core (the crawl in e2e/test_crawl.py walks
one page per URL pattern, so it misses some of these)."""

import importlib
import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import overflow
from e2e.test_booking import sign_in  # a fresh browser each time: its own device id too
from e2e.test_crawl import AXE, AXE_JS

pytestmark = pytest.mark.browser

REVIEW_TEXT = "Found the fault in the safety switch quickly & left the board tidy. <b>Thanks</b>."
REPLY_TEXT = "Thanks Casey, glad the board is sorted."
HIDE_REASON = "It repeats another site's review word for word."


@pytest.fixture
def booking(site):
    """A booking of last week, made ten days ago by a customer of two months and completed:
    nothing about it looks like the fraud rules' patterns."""
    from accounts.models import User
    from accounts.tests.factories import ProviderProfileFactory, UserFactory
    from bookings.models import Booking
    from listings.tests.factories import ServiceFactory
    from places.models import City
    from reviews.tests.factories import completed_booking

    provider = ProviderProfileFactory(
        approved=True, business_name="Harbour Sparkies", base_city=City.objects.get(slug="sydney")
    )
    service = ServiceFactory(provider=provider, title="Safety switch install")
    customer = UserFactory(name="Casey Customer")
    now = datetime.now(UTC)
    User.objects.filter(pk=customer.pk).update(date_joined=now - timedelta(days=60))
    booking = completed_booking(
        service=service, provider=provider, customer=customer, completed_at=now - timedelta(days=6)
    )
    Booking.objects.filter(pk=booking.pk).update(created_at=now - timedelta(days=10))
    return booking


def moderator_make():
    """A staff member in the Moderators group. The group comes from a data migration, which
    an earlier browser test's flush (transactional_db) may have emptied: it is then made again
    with the migration's own list of permissions."""
    from django.contrib.auth.models import Group, Permission

    from accounts.tests.factories import UserFactory

    migration = importlib.import_module("moderation.migrations.0001_moderators_group")
    group, created = Group.objects.get_or_create(name=migration.MODERATOR_GROUP)
    if created:
        group.permissions.set(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in migration.codenames()
        )
    user = UserFactory(is_staff=True, name="Morgan Moderator")
    user.groups.add(group)
    return user


def review_listing(page: Page, url: str, booking) -> None:
    page.goto(url + booking.service.get_absolute_url())


def assert_accessible(page: Page) -> None:
    """No serious or critical axe-core finding on the page as it is now, and nothing sticking
    out sideways on a small phone."""
    assert page.evaluate(AXE_JS) == [], page.url
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 800})
    assert overflow(page) is None, overflow(page)
    page.set_viewport_size(size)


def test_a_customer_reviews_the_provider_replies_another_user_reports(site, booking, page: Page):
    from accounts.tests.factories import UserFactory
    from reviews.models import Review, ReviewReport

    page.context.add_init_script(path=str(AXE))
    # The customer opens the completed booking and reviews it.
    sign_in(page, site.url, booking.customer.email)
    page.goto(site.url + "/bookings/")
    waiting = page.locator("section[aria-labelledby=waiting-review-title]")
    expect(waiting.get_by_role("link", name="Review Safety switch install")).to_be_visible()
    assert_accessible(page)
    page.locator(".booking-row").first.get_by_role("link", name="Safety switch install").click()
    page.get_by_role("link", name="Review this job").click()
    expect(page.get_by_role("heading", name="Review Safety switch install")).to_be_visible()
    assert_accessible(page)
    # Sending without stars or text says what is missing and saves nothing.
    page.get_by_role("button", name="Publish review").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    assert_accessible(page)
    assert not Review.objects.exists()
    # The text is required: its label does not say "optional" (the photos' does).
    expect(page.locator("label[for=id_text]")).to_have_text("Your review")
    expect(page.locator("label[for=id_photos]")).to_have_text("Photos (optional)")
    overall = page.get_by_role("group", name="Overall rating")
    overall.get_by_label("4 stars").check()
    page.get_by_role("group", name="Punctuality").get_by_label("5 stars").check()
    page.get_by_label("Your review").fill(REVIEW_TEXT)
    page.get_by_role("button", name="Publish review").click()

    expect(page.get_by_text("Thanks, your review is published.")).to_be_visible()
    panel = page.locator(".booking-review")
    expect(panel.locator(".badge")).to_have_text("Published")
    expect(panel).to_contain_text("4 out of 5")
    expect(panel.locator(".stars.stars--8")).to_be_visible()
    expect(page.locator(".timeline")).to_contain_text("Casey Customer reviewed the job")
    review = Review.objects.get()
    assert (review.status, review.rating, review.punctuality) == ("published", 4, 5)
    assert_accessible(page)

    # The listing shows it (the HTML as text), with the rating figures.
    review_listing(page, site.url, booking)
    section = page.locator("#reviews")
    expect(section.locator(".reviews__average")).to_contain_text("4.0 out of 5 from 1 review")
    expect(section.locator(".reviews__breakdown")).to_contain_text("4 stars: 1 review")
    item = section.locator(f"#review-{review.pk}")
    expect(item.locator(".review__text")).to_have_text(REVIEW_TEXT)
    expect(item).to_contain_text("Casey C.")
    expect(item).to_contain_text("Verified booking")
    # The author is not offered to report their own review.
    expect(item.get_by_role("link", name=re.compile("^Report"))).to_have_count(0)
    assert_accessible(page)

    # The provider replies from the portal's Reviews page.
    sign_in(page, site.url, booking.provider.user.email)
    page.goto(site.url + "/portal/")
    page.get_by_role("link", name="Reviews", exact=True).click()
    expect(page.get_by_role("heading", name="Reviews", exact=True)).to_be_visible()
    card = page.locator(f"#review-{review.pk}")
    expect(card.locator(".review__text")).to_have_text(REVIEW_TEXT)
    expect(card.locator(".stars.stars--8")).to_be_visible()
    assert_accessible(page)
    card.get_by_label("Your public reply").fill(REPLY_TEXT)
    card.get_by_role("button", name="Reply").click()
    expect(page.get_by_text("Your reply is published under the review.")).to_be_visible()
    expect(page.locator(f"#review-{review.pk} .review__reply")).to_contain_text(REPLY_TEXT)

    review_listing(page, site.url, booking)
    reply = page.locator(f"#review-{review.pk} .review__reply")
    expect(reply).to_contain_text("Reply from Harbour Sparkies")
    expect(reply).to_contain_text(REPLY_TEXT)

    # From the booking, the provider sees the review and rates the customer.
    page.goto(site.url + booking.get_absolute_url())
    panel = page.locator(".booking-review")
    expect(panel).to_contain_text("4 out of 5")
    panel.get_by_role("link", name="Rate this customer").click()
    assert_accessible(page)
    page.get_by_label("5 stars").check()
    page.get_by_label("A note for the platform (optional)").fill("Clear directions, paid on time.")
    page.get_by_role("button", name="Save rating").click()
    expect(page.get_by_text("Thanks, your rating of the customer is saved.")).to_be_visible()
    expect(panel).to_contain_text("You rated this customer 5 out of 5.")
    assert_accessible(page)

    # Another signed-in user reports it; a reason is required.
    reporter = UserFactory(name="Riley Reader")
    sign_in(page, site.url, reporter.email)
    review_listing(page, site.url, booking)
    page.locator(f"#review-{review.pk}").get_by_role("link", name=re.compile("^Report")).click()
    expect(page.get_by_role("heading", name="Report a review")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Send report").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    assert not ReviewReport.objects.exists()
    page.get_by_label("It looks fake or paid for").check()
    page.get_by_label("Details (optional)").fill("The same words are on another site.")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_text("Thank you. A moderator will look at this review.")).to_be_visible()
    report = ReviewReport.objects.get()
    assert (report.review_id, report.reporter_id, report.reason) == (review.pk, reporter.pk, "fake")

    # A moderator sees the report on the admin's start page and hides the review.
    sign_in(page, site.url, moderator_make().email)
    page.goto(site.url + "/admin/")
    attention = page.locator("#attention-module")
    row = attention.get_by_role("row").filter(has_text="Reported reviews")
    expect(row.get_by_role("cell")).to_have_text("1")
    row.get_by_role("link", name="Reported reviews").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    page.locator(f"input[name=_selected_action][value='{review.pk}']").check()
    page.locator("select[name=action]").select_option(label="Hide selected reviews")
    page.get_by_role("button", name="Go", exact=True).click()
    expect(page.get_by_role("heading", name="Hide selected reviews", level=1)).to_be_visible()
    page.get_by_label("Reason (the author is shown it)").fill(HIDE_REASON)
    page.get_by_role("button", name="Hide selected reviews").click()
    expect(page.get_by_text("1 review(s) hidden.")).to_be_visible()
    review.refresh_from_db()
    assert (review.status, review.status_reason) == ("hidden", HIDE_REASON)

    # The listing no longer shows it, nor its figures.
    page.context.clear_cookies()
    review_listing(page, site.url, booking)
    section = page.locator("#reviews")
    expect(section).to_contain_text("No reviews yet.")
    expect(section.locator(f"#review-{review.pk}")).to_have_count(0)
    expect(section.locator(".reviews__average")).to_have_count(0)
    expect(page.get_by_text(REVIEW_TEXT)).to_have_count(0)
    booking.service.refresh_from_db()
    assert booking.service.rating_count == 0

    # The author sees it hidden, and why.
    sign_in(page, site.url, booking.customer.email)
    page.goto(site.url + booking.get_absolute_url())
    panel = page.locator(".booking-review")
    expect(panel.locator(".badge")).to_have_text("Hidden by moderators")
    expect(panel).to_contain_text(f"Moderator's note: {HIDE_REASON}")
    assert_accessible(page)
