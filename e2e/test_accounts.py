import re

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import confirmation_link

pytestmark = pytest.mark.browser

PASSWORD = "a-long-and-unusual-passphrase"


def sign_up(page: Page, url: str, *, name: str, email: str, role: str) -> None:
    page.goto(url + "/")
    page.get_by_role("link", name=re.compile("sign up", re.I)).first.click()
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label(re.compile("Password \\(again\\)|Confirm password", re.I)).fill(PASSWORD)
    page.get_by_label(role).check()
    page.get_by_role("button", name=re.compile("sign up|create account", re.I)).click()


def verify_email(page: Page, site, email: str) -> None:
    expect(
        page.get_by_text(re.compile("verify your email|check your email", re.I)).first
    ).to_be_visible()
    page.goto(confirmation_link(site, email))
    page.get_by_role("button", name=re.compile("confirm", re.I)).click()


def test_a_new_provider_signs_up_onboards_and_waits_for_approval(site, page: Page):
    sign_up(page, site.url, name="Olive Owner", email="olive@example.com", role="I offer services")
    verify_email(page, site, "olive@example.com")

    expect(page).to_have_url(re.compile("/portal/onboarding/$"))
    page.get_by_label("Business name").fill("Olive's Gardens")
    page.get_by_label("About your business").fill("Lawns, hedges and garden makeovers.")
    page.get_by_label("City you work from").select_option(label="Perth, WA")
    page.get_by_label("How far you travel (km)").fill("35")
    page.get_by_label("Business phone").fill("0412 345 678")
    page.get_by_role("button", name="Send for approval").click()

    expect(page).to_have_url(re.compile("/portal/$"))
    expect(
        page.get_by_role("heading", name=re.compile("waiting for approval", re.I))
    ).to_be_visible()
    expect(page.get_by_text("Olive's Gardens").first).to_be_visible()

    page.get_by_role("link", name=re.compile("edit profile", re.I)).click()
    page.get_by_label("How far you travel (km)").fill("50")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("50 km").first).to_be_visible()


def test_a_customer_signs_up_signs_out_and_signs_back_in(site, page: Page):
    sign_up(page, site.url, name="Casey Hirer", email="casey@example.com", role="I want to hire")
    verify_email(page, site, "casey@example.com")
    expect(page.get_by_text("Casey Hirer").first).to_be_attached()

    page.locator("[data-account-menu] summary").click()
    page.get_by_role("button", name="Sign out").click()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").click()
    page.get_by_label("Email").fill("casey@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    expect(page).to_have_url(site.url + "/")
    expect(page.get_by_text("Casey Hirer").first).to_be_attached()


def test_wrong_passwords_pause_that_account_from_here_with_a_clear_page(site, page: Page):
    from django.conf import settings

    from accounts.tests.factories import UserFactory

    user = UserFactory(email="pat@example.com")
    limit = settings.AXES_FAILURE_LIMIT
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    page.goto(site.url + "/accounts/login/")
    for attempt in range(limit):
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(f"wrong-{attempt}")
        with page.expect_response(re.compile("/accounts/login/$")) as answer:
            page.get_by_role("button", name=re.compile("sign in", re.I)).click()
        if attempt < limit - 1:
            expect(page.get_by_role("alert")).to_contain_text("not correct")
    assert answer.value.status == 429
    expect(page.get_by_role("heading", name="Too many failed sign-ins")).to_be_visible()
    expect(page.get_by_text(f"Try again in {minutes} minutes.")).to_be_visible()
    expect(page.get_by_role("link", name="reset it by email")).to_be_visible()
