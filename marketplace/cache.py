"""The cache backend: django-redis that degrades instead of raising while Redis is away.

With `IGNORE_EXCEPTIONS`, django-redis answers a failed call as a miss (`get` returns the
default, `set` and `delete` do nothing). Two things are added here, so that every caller (the
catalogue's cached counts, allauth's rate limits, anything later) keeps working through an
outage:

- `add` answers True, as Django's DummyCache does, instead of None: allauth's rate limiter takes
  a lock with `cache.add` and, refused it, would turn every sign-in away for as long as Redis is
  down. Without a cache the per-address limits simply do not apply; the per-(account, address)
  lockout lives in PostgreSQL (django-axes) and still does.
- The connection pool remembers that Redis did not answer and, for `RETRY_AFTER_SECONDS`,
  fails at once instead of waiting out another timeout: a Redis that hangs costs one socket
  timeout every few seconds, not one per cache call (a sign-in makes a dozen). It logs one
  warning when Redis stops answering and one when it answers again.
"""

import logging
import threading
import time

import redis
from django_redis.cache import RedisCache as DjangoRedisCache
from django_redis.cache import omit_exception

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5.0


class RedisCache(DjangoRedisCache):
    @omit_exception(return_value=True)
    def add(self, *args, **kwargs):
        return self.client.add(*args, **kwargs)


class ConnectionPool(redis.ConnectionPool):
    """A redis-py pool that stops trying for a few seconds after Redis failed to answer."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._state_lock = threading.Lock()
        self._down_until = 0.0
        self._down = False

    def get_connection(self, *args, **kwargs):
        if time.monotonic() < self._down_until:
            raise redis.ConnectionError("Redis did not answer a moment ago; not trying yet.")
        try:
            connection = super().get_connection(*args, **kwargs)
        except (redis.ConnectionError, redis.TimeoutError, OSError) as error:
            self._mark_down(error)
            raise
        self._mark_up()
        return connection

    def _mark_down(self, error: Exception) -> None:
        with self._state_lock:
            self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
            was_down, self._down = self._down, True
        if not was_down:
            logger.warning(
                "Redis at %s is not answering (%s): the cache is skipped, trying again every "
                "%.0f s.",
                self._address(),
                error,
                RETRY_AFTER_SECONDS,
            )

    def _mark_up(self) -> None:
        if not self._down:
            return
        with self._state_lock:
            was_down, self._down = self._down, False
        if was_down:
            logger.warning("Redis at %s answers again: the cache is back.", self._address())

    def _address(self) -> str:
        kwargs = self.connection_kwargs
        return f"{kwargs.get('host', '?')}:{kwargs.get('port', '?')}/{kwargs.get('db', 0)}"
