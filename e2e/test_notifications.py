"""Browser journey: the header bell, the notifications page, opening one."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser


def sign_in(page: Page, url: str, email: str) -> None:
    page.goto(url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_bell_leads_to_the_notifications_and_opening_one_marks_it_read(site, page, width):
    from notifications.tests.factories import NotificationFactory

    person = UserFactory(name="Casey Customer")
    for n in range(3):
        NotificationFactory(
            recipient=person,
            title=f"Pat accepted your booking {n}",
            body="Tuesday 10 March, 9:00 am at 12 Smith St, Newtown.",
            url="/accounts/profile/",
        )
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, site.url, person.email)
    bell = page.get_by_role("link", name="Notifications, 3 unread")
    expect(bell).to_be_visible()
    bell.click()
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    page.get_by_role("link", name=re.compile("booking 2")).click()
    expect(page).to_have_url(re.compile("/accounts/profile/$"))
    expect(page.get_by_role("link", name="Notifications, 2 unread")).to_be_visible()
    page.get_by_role("link", name="Notifications, 2 unread").click()
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
