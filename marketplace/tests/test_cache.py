"""The cache degrades instead of raising while Redis is away (marketplace.cache)."""

import logging
import time

import pytest
from django.core.cache import cache

from marketplace import cache as degrading
from marketplace.testing import RedisServer

pytestmark = pytest.mark.system  # starts processes of its own: see pyproject.toml


@pytest.fixture
def own_redis(settings):
    with RedisServer() as server:
        settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": server.url()}}
        yield server


def warnings_from_the_cache(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "marketplace.cache"]


def test_with_redis_stopped_every_call_answers_as_a_cache_without_memory(own_redis, caplog):
    cache.set("kept", "value")
    assert cache.get("kept") == "value"
    own_redis.stop()
    caplog.set_level(logging.WARNING, logger="marketplace.cache")

    assert cache.get("kept") is None
    assert cache.get("kept", "default") == "default"
    cache.set("other", 1)
    cache.delete("kept")
    assert cache.get_many(["kept", "other"]) == {}
    # add() succeeds as Django's DummyCache's does: a lock taken with it (allauth's rate
    # limiter) does not turn every caller away while Redis is down.
    assert cache.add("lock", True) is True
    assert cache.get_or_set("computed", lambda: 42) == 42

    messages = warnings_from_the_cache(caplog)
    assert len(messages) == 1 and "not answering" in messages[0]


def test_a_hung_redis_costs_one_timeout_then_is_skipped_until_it_answers(
    own_redis, caplog, monkeypatch
):
    monkeypatch.setattr(degrading, "RETRY_AFTER_SECONDS", 0.5)
    caplog.set_level(logging.WARNING, logger="marketplace.cache")
    cache.set("kept", "value")
    own_redis.pause()

    # The pooled connection's command times out, then reconnecting does: two short timeouts.
    start = time.monotonic()
    assert cache.get("kept") is None
    assert cache.get("kept") is None
    assert time.monotonic() - start < 2
    start = time.monotonic()
    for _ in range(20):
        assert cache.get("kept") is None
    assert time.monotonic() - start < 0.2  # not tried again yet: no more timeouts

    own_redis.resume()
    time.sleep(0.6)
    assert cache.get("kept") == "value"
    messages = warnings_from_the_cache(caplog)
    assert len(messages) == 2
    assert "not answering" in messages[0] and "answers again" in messages[1]
