"""A customer reports a problem on a job completed yesterday, with a photo; the provider
answers in the case; a moderator replies and closes it in the admin; the customer reads the
outcome. Each support page passes axe-core and fits a 320 px phone."""

import importlib
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from e2e.test_booking import sign_in
from e2e.test_crawl import AXE
from e2e.test_reviews import assert_accessible

pytestmark = pytest.mark.browser

DESCRIPTION = "Two of the new downlights flicker and one does not turn on at all."


@pytest.fixture
def booking(site):
    from accounts.tests.factories import ProviderProfileFactory, UserFactory
    from listings.tests.factories import ServiceFactory
    from places.models import City
    from reviews.tests.factories import completed_booking

    provider = ProviderProfileFactory(
        approved=True, business_name="Harbour Sparkies", base_city=City.objects.get(slug="sydney")
    )
    service = ServiceFactory(provider=provider, title="Downlight install")
    return completed_booking(
        service=service,
        provider=provider,
        customer=UserFactory(name="Casey Customer"),
        completed_at=datetime.now(UTC) - timedelta(days=1),
    )


def moderator_make():
    """A moderator with the support permissions (an earlier browser test's flush may have
    emptied the group the migrations made)."""
    from django.contrib.auth.models import Group, Permission

    from accounts.tests.factories import UserFactory

    migration = importlib.import_module("moderation.migrations.0002_support_cases")
    group, _ = Group.objects.get_or_create(name=migration.MODERATOR_GROUP)
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="support", codename__in=migration.CODENAMES
        )
    )
    user = UserFactory(is_staff=True, name="Morgan Moderator")
    user.groups.add(group)
    return user


def _photo(tmp_path) -> str:
    path = tmp_path / "downlight.png"
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), "#c0392b").save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_a_problem_is_reported_answered_and_closed(site, booking, page: Page, tmp_path):
    from support.models import Case

    page.context.add_init_script(path=str(AXE))
    sign_in(page, site.url, booking.customer.email)
    page.goto(site.url + booking.get_absolute_url())
    page.get_by_role("link", name="Report a problem").click()
    expect(page.get_by_role("heading", name="Report a problem")).to_be_visible()
    assert_accessible(page)
    # Sending nothing says what is missing and saves nothing.
    page.get_by_role("button", name="Send the report").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    assert_accessible(page)
    assert not Case.objects.exists()
    page.get_by_role("group", name="What went wrong?").get_by_label("Poor quality work").check()
    page.get_by_label("What happened").fill(DESCRIPTION)
    page.get_by_label("Photos (optional)").set_input_files(_photo(tmp_path))
    page.get_by_role("button", name="Send the report").click()

    expect(page.get_by_text("Thanks, your report is sent.")).to_be_visible()
    expect(page.get_by_role("heading", name="Poor quality work")).to_be_visible()
    expect(page.get_by_text(DESCRIPTION)).to_be_visible()
    thumb = page.locator(".support-photos img").first
    expect(thumb).to_be_visible()
    # Loaded, not broken: a missing image would be complete with no width, and time this out.
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=thumb.element_handle()
    )
    assert_accessible(page)
    case = Case.objects.get()

    # The provider sees the case from the booking and answers.
    sign_in(page, site.url, booking.provider.user.email)
    page.goto(site.url + booking.get_absolute_url())
    page.get_by_role("link", name="Open the case").click()
    page.get_by_label("Your message").fill("I can come back on Friday to swap them.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".support-message")).to_contain_text("swap them")

    # A moderator replies and closes it in the admin.
    moderator = moderator_make()
    sign_in(page, site.url, moderator.email)
    page.goto(site.url + "/admin/support/case/?state__exact=open")
    page.get_by_role("link", name=re.compile(f"Case {case.pk}")).click()
    page.get_by_label("Reply to both parties").fill("Friday works: please confirm, Casey.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text("Your reply is in the case")).to_be_visible()
    page.get_by_label("Outcome").select_option("provider")
    page.get_by_label("Note to both parties").fill("The provider will replace the lights.")
    page.get_by_role("button", name="Close the case").click()
    expect(page.get_by_text("The case is closed")).to_be_visible()

    # The customer reads the outcome; the case takes no more messages.
    sign_in(page, site.url, booking.customer.email)
    page.goto(site.url + "/support/cases/")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Downlight install")).click()
    outcome = page.locator(".alert[role=status]")
    expect(outcome).to_contain_text("Resolved for the provider")
    expect(outcome).to_contain_text("The provider will replace the lights.")
    expect(page.locator(".support-message__author").last).to_contain_text("A moderator")
    expect(page.locator("#case-form")).to_have_count(0)
    assert_accessible(page)
