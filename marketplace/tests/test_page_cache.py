"""The anonymous page cache's own rules, on small views (the catalogue pages' tests are in
listings/tests/test_page_cache.py and reviews/tests/test_page_cache.py)."""

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import override_settings

from marketplace import page_cache
from marketplace.page_cache import MARKER_HEADER, anonymous_page_cache, pages_changed


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 60


class Counted:
    """A view that counts how often it really ran; `respond` shapes its response."""

    def __init__(self, respond=None, **decorator):
        self.calls = 0
        self.respond = respond or (lambda request, response: response)
        self.view = anonymous_page_cache(**decorator)(self._view)

    def _view(self, request):
        self.calls += 1
        return self.respond(request, HttpResponse(f"page {self.calls}"))

    def get(self, rf, path="/page/", method="get", user=None, **extra):
        request = getattr(rf, method)(path, **extra)
        request.user = user or AnonymousUser()
        return self.view(request)


def test_an_anonymous_visitor_gets_the_stored_page_the_second_time(rf):
    counted = Counted()
    first = counted.get(rf)
    second = counted.get(rf)

    assert counted.calls == 1
    assert (first[MARKER_HEADER], second[MARKER_HEADER]) == ("miss", "hit")
    assert second.content == first.content == b"page 1"
    assert second["Content-Type"] == first["Content-Type"]
    assert "Cookie" in second["Vary"] and "Cookie" in first["Vary"]
    # A HEAD is served from the GET's entry.
    assert counted.get(rf, method="head").content == b"page 1"
    assert counted.calls == 1


def test_the_cache_is_off_at_zero_seconds(rf, settings):
    settings.PAGE_CACHE_SECONDS = 0
    counted = Counted()
    counted.get(rf)
    response = counted.get(rf)

    assert counted.calls == 2
    assert MARKER_HEADER not in response
    assert "Cookie" in response["Vary"]


@pytest.mark.parametrize(
    "extra",
    [
        {"HTTP_COOKIE": f"{django_settings.SESSION_COOKIE_NAME}=abc"},
        {"HTTP_COOKIE": "messages=abc"},
    ],
    ids=["session cookie", "messages cookie"],
)
def test_a_visitor_with_a_session_or_messages_is_served_fresh_and_nothing_stored(rf, extra):
    counted = Counted()
    counted.get(rf)  # stored for anonymous visitors

    assert counted.get(rf, **extra).content == b"page 2"
    assert counted.get(rf, **extra).content == b"page 3"
    assert counted.get(rf).content == b"page 1"


def test_a_signed_in_person_never_reads_or_writes_the_cache(rf, customer):
    counted = Counted()
    assert counted.get(rf, user=customer).content == b"page 1"
    # Nothing was stored for them: the anonymous visitor's page is rendered for the visitor.
    assert counted.get(rf).content == b"page 2"
    assert counted.get(rf, user=customer).content == b"page 3"
    assert counted.get(rf).content == b"page 2"


def _with_cookie(request, response):
    response.set_cookie("flavour", "oat")
    return response


def _with_csrf_token(request, response):
    # What {% csrf_token %} does: the page embeds the token and the cookie follows.
    response.content = get_token(request).encode()
    return response


def _with_session_write(request, response):
    from django.contrib.sessions.backends.db import SessionStore

    request.session = SessionStore()
    request.session["seen"] = True
    return response


def _with_message(request, response):
    from django.contrib.messages.storage.cookie import CookieStorage

    request._messages = CookieStorage(request)
    request._messages.add(20, "Saved")
    return response


def _with_status(status):
    def respond(request, response):
        response.status_code = status
        return response

    return respond


def _with_cache_control(value):
    def respond(request, response):
        response["Cache-Control"] = value
        return response

    return respond


@pytest.mark.parametrize(
    "respond",
    [
        _with_cookie,
        _with_csrf_token,
        _with_session_write,
        _with_message,
        _with_status(404),
        _with_status(301),
        _with_cache_control("private"),
        _with_cache_control("no-store"),
        _with_cache_control("max-age=0, no-cache"),
    ],
    ids=[
        "sets a cookie",
        "embeds a CSRF token",
        "writes the session",
        "adds a message",
        "404",
        "301",
        "private",
        "no-store",
        "no-cache",
    ],
)
@pytest.mark.django_db
def test_a_response_that_is_someones_or_not_a_plain_200_is_not_stored(rf, respond):
    counted = Counted(respond)
    first = counted.get(rf)
    counted.get(rf)

    assert counted.calls == 2
    assert MARKER_HEADER not in first


@pytest.mark.parametrize(
    ("path", "stored"),
    [
        ("/page/?page=2", True),
        ("/page/?page=2&sort=price", True),
        ("/page/?utm_source=mail", False),
        ("/page/?page=2&page=3", False),
        ("/page/?page=abc", False),
        ("/page/?page=2&x=1", False),
    ],
)
def test_only_the_allowed_query_parameters_with_accepted_values_are_cached(rf, path, stored):
    counted = Counted(query={"page": str.isdigit, "sort": {"price", "rating"}.__contains__})
    counted.get(rf, path)
    counted.get(rf, path)

    assert counted.calls == (1 if stored else 2)


def test_each_query_string_is_its_own_page(rf):
    counted = Counted(query={"page": str.isdigit})
    assert counted.get(rf, "/page/").content == b"page 1"
    assert counted.get(rf, "/page/?page=2").content == b"page 2"
    assert counted.get(rf, "/other/").content == b"page 3"
    assert counted.get(rf, "/page/?page=2").content == b"page 2"
    assert counted.get(rf, "/page/").content == b"page 1"


@pytest.mark.django_db(transaction=True)
def test_pages_changed_renders_pages_afresh_once_the_transaction_commits(rf):
    counted = Counted()
    counted.get(rf)
    with transaction.atomic():
        pages_changed()
        # Not yet: a request now still reads the data as it was before the change.
        assert counted.get(rf).content == b"page 1"
    assert counted.get(rf).content == b"page 2"
    assert counted.get(rf).content == b"page 2"


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_keeps_the_stored_pages(rf):
    counted = Counted()
    counted.get(rf)
    with pytest.raises(RuntimeError), transaction.atomic():
        pages_changed()
        raise RuntimeError

    assert counted.get(rf).content == b"page 1"


def test_pages_changed_registers_nothing_while_the_cache_is_off(
    settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_SECONDS = 0
    with django_capture_on_commit_callbacks() as callbacks:
        pages_changed()
    assert callbacks == []


def test_a_page_rendered_while_a_change_committed_is_not_served(rf):
    def change_lands_meanwhile(request, response):
        # The change commits after the view read its data and before the page is stored.
        page_cache._generation_replace()
        return response

    counted = Counted(change_lands_meanwhile)
    counted.get(rf)
    counted.get(rf)

    assert counted.calls == 2


def test_a_stored_page_is_served_at_most_page_cache_seconds(rf, monkeypatch):
    """Changes that announce nothing still show within PAGE_CACHE_SECONDS: the entry's age is
    checked against the clock the module reads, which the test moves."""
    import time

    start = time.time()
    monkeypatch.setattr(page_cache, "_now", lambda: start)
    counted = Counted()
    counted.get(rf)
    monkeypatch.setattr(page_cache, "_now", lambda: start + 59)
    assert counted.get(rf).content == b"page 1"
    monkeypatch.setattr(page_cache, "_now", lambda: start + 60)
    assert counted.get(rf).content == b"page 2"


def test_lowering_the_setting_shortens_the_life_of_pages_already_stored(rf, settings, monkeypatch):
    import time

    start = time.time()
    monkeypatch.setattr(page_cache, "_now", lambda: start)
    counted = Counted()
    counted.get(rf)
    settings.PAGE_CACHE_SECONDS = 10
    monkeypatch.setattr(page_cache, "_now", lambda: start + 11)

    assert counted.get(rf).content == b"page 2"


def _closed_port_cache(backend: str) -> dict:
    return {
        "default": {
            **django_settings.CACHES["default"],
            "BACKEND": backend,
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {}
            if backend.startswith("django.")
            else django_settings.CACHES["default"]["OPTIONS"],
        }
    }


@pytest.mark.parametrize(
    "backend",
    ["marketplace.cache.RedisCache", "django.core.cache.backends.redis.RedisCache"],
    ids=["the site's cache (a miss)", "a cache that raises"],
)
@pytest.mark.django_db
def test_with_redis_down_the_page_is_rendered(rf, backend, caplog):
    counted = Counted()
    with override_settings(CACHES=_closed_port_cache(backend)):
        first = counted.get(rf)
        second = counted.get(rf)
        pages_changed()

    assert (first.status_code, second.status_code) == (200, 200)
    assert first.content == b"page 1"
    if backend.startswith("django."):
        assert counted.calls == 2
        assert "The page cache could not be read" in caplog.text


# ---------------------------------------------------------------- this process's own tier


def test_a_warm_page_is_served_by_this_process_without_asking_redis(rf, monkeypatch):
    counted = Counted()
    counted.get(rf)

    def unreachable(*args, **kwargs):
        raise AssertionError("Redis was asked")

    monkeypatch.setattr(page_cache.cache, "get_many", unreachable)
    assert counted.get(rf)[MARKER_HEADER] == "hit"
    assert counted.calls == 1


def test_another_process_s_change_shows_here_within_a_second(rf, monkeypatch):
    """Another process replaced the generation in Redis: this one trusts the generation it
    read for LOCAL_GENERATION_SECONDS, then reads it again."""
    import time

    from django.core.cache import cache

    start = time.time()
    monkeypatch.setattr(page_cache, "_now", lambda: start)
    counted = Counted()
    counted.get(rf)
    cache.set(page_cache.GENERATION_KEY, "another process's", timeout=None)

    assert counted.get(rf).content == b"page 1"
    monkeypatch.setattr(page_cache, "_now", lambda: start + page_cache.LOCAL_GENERATION_SECONDS)
    assert counted.get(rf).content == b"page 2"


def test_a_process_keeps_at_most_local_bytes_of_pages(rf, monkeypatch):
    monkeypatch.setattr(page_cache, "LOCAL_BYTES", 20)
    counted = Counted()
    for path in ("/a/", "/b/", "/c/"):
        counted.get(rf, path)  # 6 bytes each: "page n"
    counted.get(rf, "/a/")  # the most recently served is kept longest

    assert counted.get(rf, "/d/").content == b"page 4"
    assert list(page_cache._local._pages) == [
        page_cache._key(rf.get(path)) for path in ("/c/", "/a/", "/d/")
    ]


def test_a_page_read_from_a_replica_is_stored_once_the_replica_has_surely_replayed_the_change(
    rf, settings, monkeypatch
):
    """A replica may be up to the lag limit plus a check's age behind: a page it rendered just
    after a change may miss it, so it is stored only once the generation is older than that."""
    from django.contrib.sessions.models import Session
    from django.db import router

    from marketplace import replicas

    settings.DATABASE_REPLICAS = ["replica_0"]
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 2.0
    settings.DATABASE_REPLICA_CHECK_SECONDS = 2.0
    monkeypatch.setattr(replicas, "replica_choose", lambda: "replica_0")
    now = [1000.0]
    monkeypatch.setattr(page_cache, "_now", lambda: now[0])

    def reads(request, response):
        assert router.db_for_read(Session) == "replica_0"
        return response

    counted = Counted(reads)
    view = replicas.reads_from_replica(counted.view)

    def get():
        request = rf.get("/page/")
        request.user = AnonymousUser()
        return view(request)

    assert MARKER_HEADER not in get()  # the generation is brand new here: not stored
    now[0] += 3.9
    assert MARKER_HEADER not in get()
    now[0] += 0.2
    assert get()[MARKER_HEADER] == "miss"
    assert get()[MARKER_HEADER] == "hit"
    assert counted.calls == 3
