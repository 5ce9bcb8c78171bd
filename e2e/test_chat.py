"""Browser journeys of the live chat, on a daphne-served site (pytest-django's live server is
WSGI and carries no websockets): the site runs in a subprocess on the test database and the
same Redis, and two browser contexts are the customer and the provider."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from playwright.sync_api import expect

from chat import services as chat_services
from listings.tests.factories import ServiceFactory
from marketplace.testing import daphne_server, database_url
from notifications.services import notify

pytestmark = pytest.mark.browser


@pytest.fixture
def daphne_site(transactional_db, tmp_path):
    env = {
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SECURE_COOKIES": "0",  # plain http on 127.0.0.1
    }
    with daphne_server(env, log_path=tmp_path / "daphne.log") as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def people():
    from accounts.tests.factories import UserFactory

    service = ServiceFactory(title="Switchboard upgrade")
    customer = UserFactory(name="Casey Customer")
    conversation = chat_services.conversation_open(
        user=customer, provider=service.provider, about=service
    )
    return customer, service.provider.user, conversation


@pytest.fixture
def page_as(browser, daphne_site):
    """Opens pages signed in as someone; their contexts close before the server stops."""
    contexts = []

    def open_as(user):
        page, violations = _page_as(browser, daphne_site, user)
        contexts.append(page.context)
        return page, violations

    yield open_as
    for context in contexts:
        context.close()


def _page_as(browser, base: str, user):
    """A browser context signed in as `user` (its session cookie), with a page that fails
    the test on any CSP violation."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=base)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base,
            }
        ]
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return page, violations


def _live(page) -> None:
    """Wait until the page's socket is open (the status note is hidden and hello was sent)."""
    expect(page.locator("[data-chat-status]")).to_be_hidden()
    expect(page.locator("[data-chat-messages]")).to_have_attribute("data-live", "open")


def test_two_people_chat_live_with_typing_seen_and_catch_up_after_a_cut(page_as, people):
    customer, pro, conversation = people
    path = f"/messages/{conversation.pk}/"
    mine, mine_csp = page_as(customer)
    theirs, theirs_csp = page_as(pro)
    mine.goto(path)
    theirs.goto(path)
    _live(mine)
    _live(theirs)
    theirs.evaluate("window.notReloaded = true")

    # Typing shows on the other side; the message arrives without a reload, as text.
    box = mine.get_by_role("textbox", name=re.compile("^Message"))
    box.press_sequentially("Hi <script>alert(1)</script>")
    expect(theirs.get_by_text("Casey Customer is typing...")).to_be_visible()
    mine.get_by_role("button", name="Send").click()
    expect(box).to_have_value("")
    arrived = theirs.locator("[data-seq='1']")
    expect(arrived).to_contain_text("Hi <script>alert(1)</script>")
    expect(theirs.get_by_text("Casey Customer is typing...")).to_be_hidden()
    assert theirs.evaluate("window.notReloaded") is True
    assert theirs.evaluate("document.querySelectorAll('[data-seq] script').length") == 0

    # The provider's page is open and visible: it reads, and the customer sees "Seen".
    expect(mine.locator("[data-seq='1'] [data-seen]")).to_have_text("Seen")

    # The provider's connection is cut; the customer writes twice meanwhile.
    theirs.context.set_offline(True)
    theirs.locator("[data-chat-messages]").dispatch_event("chat:drop")
    expect(theirs.get_by_text("Reconnecting...")).to_be_visible()
    for body in ("Gate code is on the letterbox", "Park in the drive"):
        mine.get_by_role("textbox", name=re.compile("^Message")).fill(body)
        mine.get_by_role("button", name="Send").click()
        expect(mine.locator("[data-chat-messages]")).to_contain_text(body)
    assert theirs.locator("[data-seq]").count() == 1  # offline: nothing new yet

    theirs.context.set_offline(False)
    expect(theirs.locator("[data-seq]")).to_have_count(3)
    expect(theirs.get_by_text("Reconnecting...")).to_be_hidden()
    seqs = theirs.eval_on_selector_all("[data-seq]", "els => els.map(e => e.dataset.seq)")
    assert seqs == ["1", "2", "3"]
    expect(theirs.locator("[data-seq='3']")).to_contain_text("Park in the drive")

    # And back live: the reply reaches the customer at once, in order.
    theirs.get_by_role("textbox", name=re.compile("^Message")).fill("See you at nine")
    theirs.get_by_role("button", name="Send").click()
    expect(mine.locator("[data-seq='4']")).to_contain_text("See you at nine")
    assert mine.locator("[data-seq]").count() == 4
    assert not mine_csp and not theirs_csp, (mine_csp, theirs_csp)


def test_without_a_socket_the_plain_form_still_sends(page_as, people):
    customer, _, conversation = people
    page, violations = page_as(customer)
    page.add_init_script("delete window.WebSocket")  # as a browser without websockets
    page.goto(f"/messages/{conversation.pk}/")
    page.get_by_role("textbox", name=re.compile("^Message")).fill("Sent with the form")
    page.get_by_role("button", name="Send").click()
    page.wait_for_load_state()
    expect(page.locator("[data-seq='1']")).to_contain_text("Sent with the form")
    assert not violations, violations


def test_the_header_counts_update_live(page_as, people):
    customer, pro, conversation = people
    page, violations = page_as(customer)
    page.goto("/")
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    expect(page.locator("[data-notification-bell]")).to_have_attribute("data-live", "open")

    def booking_accepted():
        with transaction.atomic():
            notify(
                recipient=customer,
                kind="booking_accepted",
                title="Pat accepted your booking",
                body="",
                url="/",
            )

    # In a thread of its own, as in a request: this one runs Playwright's event loop.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(booking_accepted).result()
    expect(page.get_by_role("link", name="Notifications, 1 unread")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Pat accepted")).to_have_text(
        "New notification: Pat accepted your booking"
    )

    # A message from the provider: the header's Messages count, on a page that is not the chat.
    def provider_writes():
        chat_services.message_send(conversation=conversation, sender=pro, body="Hello!")

    with ThreadPoolExecutor(1) as thread:
        thread.submit(provider_writes).result()
    expect(page.get_by_role("link", name="Messages, 1 unread")).to_be_visible()
    expect(page.locator("[data-messages-unread]")).to_have_text("1")
    assert not violations, violations
