"""Browser journeys: Playwright drives Debian's chromium against pytest-django's live server."""

import re
from pathlib import Path

import pytest
from django.core import mail

CHROMIUM = next(
    (p for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium") if Path(p).exists()),
    None,
)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--disable-gpu",
            # This machine has no internet: stop chromium's own background requests.
            "--disable-background-networking",
            "--disable-component-update",
        ],
    }


@pytest.fixture
def site(live_server, transactional_db, page):
    """The live site with a city to work from; pages fail the test on any CSP violation."""
    from places.tests.factories import CityFactory

    CityFactory(name="Sydney")
    CityFactory(name="Perth", state="WA", timezone="Australia/Perth")
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.set_default_timeout(10_000)
    yield live_server
    assert not violations, violations


def confirmation_link(live_server, email: str) -> str:
    """The address in the last verification email sent to `email`."""
    sent = [m for m in mail.outbox if email in m.to]
    assert sent, f"no email to {email}"
    path = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", sent[-1].body)[1]
    return live_server.url + path
