"""The API's docs in a real browser: Swagger UI from the site's own files, under the site's
Content-Security-Policy (the `site` fixture fails the test on any violation), listing every
operation of the schema."""

import pytest
from playwright.sync_api import Page, expect

from moderation.tests.test_api_matrix import schema_operations

pytestmark = pytest.mark.browser

# Each operation Swagger UI drew: its method and its path (the path's data-path attribute).
OPERATIONS_JS = """() => [...document.querySelectorAll('.opblock')].map((block) => {
  const method = block.querySelector('.opblock-summary-method').textContent.trim();
  const path = block.querySelector('.opblock-summary-path').getAttribute('data-path');
  return method.toLowerCase() + ' ' + path;
})"""


def test_swagger_ui_loads_under_the_csp_and_lists_every_operation(site, page: Page):
    expected = {f"{method} {path}" for path, method in schema_operations()}
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url) if not request.url.startswith(site.url) else None
        ),
    )

    page.goto(site.url + "/api/docs/")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Nearhand API")
    if expected:
        page.locator(".opblock").first.wait_for()
    shown = set(page.evaluate(OPERATIONS_JS))
    assert shown == expected
    assert not outside, f"the docs fetched from elsewhere: {outside}"
