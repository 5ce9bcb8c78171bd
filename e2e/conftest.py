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


def sign_in(page, url: str, email: str) -> None:
    """Sign in through the form (the factories' password)."""
    from accounts.tests.factories import PASSWORD

    page.goto(url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    page.wait_for_load_state()


# Measures, in the page, whether anything sticks out past the right edge of the viewport and
# names the widest offender, so a failure says what to fix.
OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  const scrollWidth = document.documentElement.scrollWidth;
  if (scrollWidth <= width) return null;
  // Content inside a box that scrolls or clips sideways does not widen the page.
  const clipped = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") return true;
    }
    return false;
  };
  let worst = null;
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (clipped(el)) continue;
    if (box.width === 0 || box.right <= width + 0.5) continue;
    if (!worst || box.right > worst.right) worst = {el, right: box.right};
  }
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    [...el.classList].map((c) => "." + c).join("");
  return {
    scrollWidth, width,
    element: worst ? describe(worst.el) : "(none)",
    right: worst ? Math.round(worst.right) : null,
    text: worst ? worst.el.textContent.trim().replace(/\\s+/g, " ").slice(0, 80) : "",
  };
}"""


def overflow(page) -> str | None:
    """None when the page fits its viewport's width; otherwise what sticks out, in words."""
    found = page.evaluate(OVERFLOW_JS)
    if found is None:
        return None
    return (
        f"{page.url} is {found['scrollWidth']} px wide at {found['width']} px: widest is "
        f"{found['element']} (right edge {found['right']} px) {found['text']!r}"
    )
