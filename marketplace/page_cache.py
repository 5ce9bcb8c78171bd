"""The anonymous page cache: catalogue pages kept whole in the cache for visitors who are not
signed in, so a warm page costs a cache read instead of its queries and its templates.

- Only GET and HEAD from a visitor with no session cookie and no messages cookie, who is not
  signed in, are served from the cache or stored into it; everybody else gets the page rendered
  for them. A signed-in person's page is never read from the cache nor written to it.
- A response is stored only when it is a 200 that sets no cookie (the session, the messages, the
  CSRF cookie: a page that asked for a CSRF token embeds it, so it is never stored), does not say
  `Cache-Control: private`, `no-store` or `no-cache`, and is not streamed.
- The key is the host and the full path with its query string, and only when every query
  parameter is one the view allows with a value it accepts (`query=`: e.g. the page number and
  the sort); a page asked for with any other parameter is rendered and not stored, so random
  query strings cannot fill Redis: the keys are bounded by the real pages times the allowed
  values (404s and redirects are never stored).
- Invalidation: every entry carries the generation it was rendered under and the time it was
  stored. `pages_changed()`, called by the services (and the admin) that change what these pages
  show, replaces the generation after the transaction commits; an entry of another generation,
  or older than `PAGE_CACHE_SECONDS`, is a miss. The generation is read before the page is
  rendered, so a page rendered from data older than a commit is stored under the old generation
  and never served. The age limit is the backstop for any change that calls nothing: a page is
  at most `PAGE_CACHE_SECONDS` (60 by default, 0 turns the cache off) old.
- Read replicas (marketplace/replicas.py): a page rendered from a replica may miss a change
  the replica has not replayed yet, up to the lag limit plus a check's age behind. Such a page
  is stored only once this process has known the current generation for that long, so the
  change that replaced the generation is in what the replica showed.
- A cache that fails (Redis down) is a miss: the error is logged and the page rendered.
- Each process also keeps the pages it served last in memory (up to `LOCAL_BYTES`), with the
  generation it last read from Redis, trusted for `LOCAL_GENERATION_SECONDS`: a warm page
  then costs no round trip to Redis at all. Under load that round trip was most of a hit's
  time (`bench/page_cache.py`: 2.1-5.2 ms a hit without this tier, 0.85-1.07 ms with it,
  beside the hello view's 0.6-0.9 ms on the shared 2-core machine).
  A change replaces this process's generation at once; another process sees it when it reads
  the generation again, within that second.
"""

import hashlib
import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from . import replicas

logger = logging.getLogger(__name__)

GENERATION_KEY = "page-cache:generation"
_KEY_PREFIX = "page-cache:page:"
# Headers marking a response as one person's, or one not to keep.
_UNCACHEABLE = ("private", "no-store", "no-cache")
# Says whether the page came from the cache ("hit") or was just stored ("miss").
MARKER_HEADER = "X-Page-Cache"

# The per-process tier: how many bytes of pages a process keeps, and how long it trusts the
# generation it read (the delay before another process's change shows here).
LOCAL_BYTES = 16 * 1024 * 1024
LOCAL_GENERATION_SECONDS = 1.0

View = Callable[..., HttpResponse]
QueryRules = Mapping[str, Callable[[str], bool]]


def pages_changed() -> None:
    """Something the cached pages show changed: they are rendered afresh once the current
    transaction commits (at once outside one). A no-op while the cache is off."""
    if settings.PAGE_CACHE_SECONDS > 0:
        transaction.on_commit(_generation_replace)


def _generation_replace() -> None:
    generation = secrets.token_hex(8)
    # This process sees the change at once, even when Redis does not answer.
    _local.generation_set(generation)
    try:
        cache.set(GENERATION_KEY, generation, timeout=None)
    except Exception:
        # The entries of the old generation still expire with their age limit.
        logger.warning("The page cache's generation could not be replaced.", exc_info=True)


def _now() -> float:
    # One place to read the clock, so a test can move it past an entry's age limit.
    return time.time()


class _Local:
    """This process's pages (least recently served dropped first past LOCAL_BYTES) and the
    generation it last read; shared by the threads of the process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        with self._lock:
            self._pages: OrderedDict[str, tuple] = OrderedDict()
            self._bytes = 0
            self._generation: str | None = None
            self._generation_read_at = 0.0
            # When this process first read the generation it holds.
            self._generation_since = 0.0

    def generation(self) -> str | None:
        """The generation read less than LOCAL_GENERATION_SECONDS ago, else None."""
        with self._lock:
            if _now() - self._generation_read_at < LOCAL_GENERATION_SECONDS:
                return self._generation
            return None

    def generation_set(self, generation: str | None) -> None:
        with self._lock:
            if generation != self._generation:
                self._generation_since = _now()
            self._generation = generation
            self._generation_read_at = _now() if generation is not None else 0.0

    def generation_known_for(self, generation: str) -> float:
        """How long this process has known `generation` as the current one (0 if it does not)."""
        with self._lock:
            return _now() - self._generation_since if generation == self._generation else 0.0

    def get(self, key: str) -> tuple | None:
        with self._lock:
            entry = self._pages.get(key)
            if entry is not None:
                self._pages.move_to_end(key)
            return entry

    def put(self, key: str, entry: tuple) -> None:
        size = len(entry[2])
        if size > LOCAL_BYTES:
            return
        with self._lock:
            previous = self._pages.pop(key, None)
            if previous is not None:
                self._bytes -= len(previous[2])
            self._pages[key] = entry
            self._bytes += size
            while self._bytes > LOCAL_BYTES:
                _, dropped = self._pages.popitem(last=False)
                self._bytes -= len(dropped[2])


_local = _Local()


def local_clear() -> None:
    """Forget this process's pages and generation (tests start from an empty cache)."""
    _local.clear()


def _anonymous(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or CookieStorage.cookie_name in cookies:
        return False
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


def _query_allowed(request: HttpRequest, rules: QueryRules) -> bool:
    for name, values in request.GET.lists():
        accept = rules.get(name)
        if accept is None or len(values) != 1 or not accept(values[0]):
            return False
    return True


def _key(request: HttpRequest) -> str:
    where = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return _KEY_PREFIX + hashlib.sha256(where.encode()).hexdigest()


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if any(word in cache_control for word in _UNCACHEABLE) or response.get("Vary") == "*":
        return False
    # The cookies the middleware would add on the way out: a CSRF token the page asked for
    # (it embeds it), a session or messages written while rendering.
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    messages = getattr(request, "_messages", None)
    return not getattr(messages, "added_new", False)


def _cache_read(key: str) -> tuple[str | None, tuple | None]:
    """(the current generation, the entry): from this process when it read the generation a
    moment ago and holds the page under it, else from Redis in one round trip; (None, None)
    when Redis fails."""
    generation = _local.generation()
    if generation is not None:
        entry = _local.get(key)
        if entry is not None and entry[0] == generation:
            return generation, entry
    try:
        found = cache.get_many([GENERATION_KEY, key])
    except Exception:
        logger.warning("The page cache could not be read; rendering the page.", exc_info=True)
        return None, None
    generation = found.get(GENERATION_KEY)
    if generation is None:
        # First use, or Redis lost it: start one; a page is stored only under a generation
        # that is surely the current one, so not this time if another process started one.
        generation = secrets.token_hex(8)
        try:
            if not cache.add(GENERATION_KEY, generation, timeout=None):
                generation = None
        except Exception:
            logger.warning("The page cache's generation could not be set.", exc_info=True)
            generation = None
        _local.generation_set(generation)
        return generation, None
    _local.generation_set(generation)
    entry = found.get(key)
    if entry is not None and entry[0] == generation:
        _local.put(key, entry)
    return generation, entry


def _cache_write(key: str, entry: tuple, seconds: int) -> None:
    _local.put(key, entry)
    try:
        cache.set(key, entry, timeout=seconds)
    except Exception:
        logger.warning("A page could not be stored in the page cache.", exc_info=True)


def _replayed_the_generation(generation: str) -> bool:
    """Whether what the page was rendered from surely holds the change that made `generation`
    current: always on the primary; on a replica once the generation is older than how far
    behind a usable replica may be."""
    if not replicas.read_from_replica():
        return True
    behind = settings.DATABASE_REPLICA_MAX_LAG_SECONDS + settings.DATABASE_REPLICA_CHECK_SECONDS
    return _local.generation_known_for(generation) >= behind


def anonymous_page_cache(*, query: QueryRules | None = None) -> Callable[[View], View]:
    """Serve the view's page to anonymous visitors from the cache (see the module's note).

    `query` maps each query parameter the page may be cached with to a check of its value;
    a request with any other parameter, a repeated one or a refused value is not cached.
    """
    rules: QueryRules = query or {}

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            seconds = settings.PAGE_CACHE_SECONDS
            if seconds <= 0 or not _anonymous(request) or not _query_allowed(request, rules):
                response = view(request, *args, **kwargs)
                patch_vary_headers(response, ("Cookie",))
                return response
            key = _key(request)
            generation, entry = _cache_read(key)
            if entry is not None:
                stored_generation, stored_at, content, headers = entry
                if stored_generation == generation and _now() - stored_at < seconds:
                    response = HttpResponse(content, headers=headers)
                    response[MARKER_HEADER] = "hit"
                    patch_vary_headers(response, ("Cookie",))
                    return response
            response = view(request, *args, **kwargs)
            if (
                generation is not None
                and _storable(request, response)
                and _replayed_the_generation(generation)
            ):
                headers = dict(response.headers)
                _cache_write(key, (generation, _now(), response.content, headers), seconds)
                response[MARKER_HEADER] = "miss"
            patch_vary_headers(response, ("Cookie",))
            return response

        return wrapper

    return decorator
