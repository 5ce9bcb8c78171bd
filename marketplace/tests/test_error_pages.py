# ruff: noqa: RUF001 - the pages use the typographic apostrophe
"""The branded error pages: 400, 403, 404 and 500 in the site's look, each with a way back.

500.html is rendered by Django with an empty context and no request (no context processors),
often because the database is the thing that failed: it must render with the database
blocked and use no variable at all.
"""

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.template import engines
from django.test import Client, override_settings
from django.urls import path
from django.views.defaults import server_error


def _forbidden(request):
    raise PermissionDenied


def _suspicious(request):
    raise SuspiciousOperation("A tampered value.")


def _missing(request):
    raise Http404("No such thing.")


def _broken(request):
    raise RuntimeError("Something broke.")


# A URL conf of views that fail each way (used with @pytest.mark.urls below).
urlpatterns = [
    path("forbidden/", _forbidden),
    path("suspicious/", _suspicious),
    path("missing/", _missing),
    path("broken/", _broken),
]

PAGES = [
    ("/forbidden/", 403, "You can’t open this page"),
    ("/suspicious/", 400, "We couldn’t read that request"),
    ("/missing/", 404, "We couldn’t find that page"),
    ("/broken/", 500, "Something went wrong on our side"),
]


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False


def assert_branded(response, status: int, heading: str) -> None:
    page = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert f"<h1>{heading}</h1>" in page
    assert f"Error {status}" in page
    assert "/static/css/site.css" in page
    assert '<a class="brand" href="/">' in page
    assert 'href="/">Go to the home page</a>' in page  # a way back
    assert 'action="/search/"' in page and 'name="q"' in page  # and a search
    assert "<script" not in page and "style=" not in page  # the CSP allows neither inline


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(("url", "status", "heading"), PAGES)
def test_each_error_is_a_branded_page_with_a_way_back(url, status, heading):
    # No `db` fixture: pytest-django blocks the database, so no error page may need it.
    response = Client(raise_request_exception=False).get(url)
    assert_branded(response, status, heading)


def test_the_403_page_offers_to_sign_in():
    page = engines["django"].get_template("403.html").render({})
    assert 'href="/accounts/login/">Sign in</a>' in page


def test_the_500_page_renders_without_context_database_or_request(rf):
    # The database is blocked here (no `db` fixture), and Django passes no request.
    assert_branded(server_error(rf.get("/")), 500, "Something went wrong on our side")


def test_the_error_pages_use_no_variable_from_any_view():
    with override_settings(
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "DIRS": [engines["django"].engine.dirs[0]],
                "OPTIONS": {"string_if_invalid": "MISSING(%s)"},
            }
        ]
    ):
        for name in ("500.html", "404.html", "403.html", "400.html", "403_csrf.html"):
            page = engines["django"].get_template(name).render({})
            assert "MISSING(" not in page, name
            assert 'href=""' not in page, name


def test_an_unknown_host_is_the_branded_400():
    response = Client(raise_request_exception=False).get("/", headers={"host": "evil.example"})
    assert_branded(response, 400, "We couldn’t read that request")


@pytest.mark.django_db
def test_an_unknown_address_is_the_branded_404(client):
    assert_branded(client.get("/no/such/page/"), 404, "We couldn’t find that page")
    assert_branded(client.get("/no-such-category/"), 404, "We couldn’t find that page")


def test_a_form_without_its_csrf_token_is_the_branded_403():
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"login": "a@b.c"})
    assert_branded(response, 403, "That form has expired")
    assert "reload the page" in response.content.decode()
