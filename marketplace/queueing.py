"""Queuing Celery tasks from requests: never an error, never a long wait.

Every task queued after a change (an email, mostly) carries work that is also on record in
PostgreSQL (the notification outbox, a provider status event's `emailed_at`), and a sweeper in
beat sends whatever was never sent. So a broker that is down must neither fail the request
that queues nor hold it: `enqueue` logs a warning instead of raising, and after a failure
skips that broker for `RETRY_AFTER_SECONDS`, so a hung broker costs one short timeout every
few seconds (settings: CELERY_BROKER_TRANSPORT_OPTIONS) instead of one per task queued.
"""

import logging
import time

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5.0

# Broker URL -> until when (time.monotonic) it is not tried again.
_broker_down_until: dict[str, float] = {}


def enqueue(task: Task, **kwargs: object) -> bool:
    """Queue `task(**kwargs)` now; False, with a warning, when the broker would not take it."""
    conf = task.app.conf
    # Tasks run eagerly (tests) never meet a broker.
    broker = "" if conf.task_always_eager else str(conf.broker_url)
    if broker and time.monotonic() < _broker_down_until.get(broker, 0.0):
        logger.warning(
            "Not queuing %s%r: the broker failed a moment ago (its sweeper will send it).",
            task.name,
            kwargs,
        )
        return False
    try:
        task.delay(**kwargs)
    except Exception:
        if broker:
            _broker_down_until[broker] = time.monotonic() + RETRY_AFTER_SECONDS
        logger.warning(
            "Could not queue %s%r (its sweeper will send it).", task.name, kwargs, exc_info=True
        )
        return False
    _broker_down_until.pop(broker, None)
    return True


def enqueue_on_commit(task: Task, **kwargs: object) -> None:
    """Queue `task(**kwargs)` once the caller's transaction commits (nothing if it rolls back)."""
    transaction.on_commit(lambda: enqueue(task, **kwargs), robust=True)
