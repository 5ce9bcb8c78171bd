"""/payments/stripe.js: offline, localstripe's Stripe.js stand-in with its API base pinned to
settings.STRIPE_JS_API_BASE; with real keys pages load Stripe.js from Stripe."""

import hashlib
from importlib import resources

import pytest
from django.template import Context, Template

from payments import views

# localstripe 1.15.10 (requirements.txt). A new version must be read again: its first
# statement is replaced (views.LOCALSTRIPE_BASE_STATEMENT) and the rest served as it is.
PINNED_SHA256 = "9898c45b84c2f3395eb634a2a2c60a4c9a8d3d82e06f5e02da76265067adcad1"


def _installed() -> str:
    return resources.files("localstripe").joinpath("localstripe-v3.js").read_text("utf-8")


def test_the_installed_script_is_the_one_pinned():
    digest = hashlib.sha256(_installed().encode()).hexdigest()
    assert digest == PINNED_SHA256, "localstripe-v3.js changed: check LOCALSTRIPE_BASE_STATEMENT"


def test_served_offline_with_its_api_base_pinned(client, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:8421"
    settings.STRIPE_JS_API_BASE = "http://localhost:8421/"
    response = client.get("/payments/stripe.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript"
    assert "max-age" in response["Cache-Control"]
    body = response.content.decode()
    assert body.startswith(_installed()[: _installed().index("const LOCALSTRIPE_BASE_API")])
    assert 'const LOCALSTRIPE_BASE_API = "http://localhost:8421";' in body
    # The script's own location is no longer read: the site is not localstripe.
    assert "document.currentScript" not in body
    # Everything after the first statement is localstripe's, unchanged.
    tail = _installed().split("})();", 1)[1]
    assert body.endswith(tail)


def test_a_script_whose_first_statement_changed_is_refused(monkeypatch):
    changed = _installed().replace("const LOCALSTRIPE_BASE_API = (function", "var BASE = (fn")

    class Files:
        def joinpath(self, name):
            return self

        def read_text(self, encoding):
            return changed

    views.localstripe_script.cache_clear()
    monkeypatch.setattr(views.resources, "files", lambda package: Files())
    with pytest.raises(views.StripeScriptChanged):
        views.localstripe_script("http://127.0.0.1:8421")
    views.localstripe_script.cache_clear()


def test_with_real_keys_the_page_loads_stripe_js_from_stripe(client, settings):
    settings.STRIPE_API_BASE = ""
    assert client.get("/payments/stripe.js").status_code == 404
    rendered = Template("{% load payments_tags %}{% stripe_script_url %}").render(Context())
    assert rendered == "https://js.stripe.com/v3/"


def test_offline_the_page_loads_the_sites_copy(settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:8421"
    rendered = Template("{% load payments_tags %}{% stripe_script_url %}").render(Context())
    assert rendered == "/payments/stripe.js"
