"""Queuing a task never fails the request, nor holds it long, when the broker is away."""

import logging
import time
from unittest import mock

import pytest
from celery import shared_task
from django.db import transaction

from marketplace import queueing
from marketplace.celery import app
from marketplace.queueing import enqueue, enqueue_on_commit
from marketplace.testing import RedisServer

ran: list[int] = []


@shared_task(name="marketplace.tests.test_queueing.remember")
def remember(*, value: int) -> None:
    ran.append(value)


@pytest.fixture(autouse=True)
def _clean():
    ran.clear()
    queueing._broker_down_until.clear()
    yield
    queueing._broker_down_until.clear()


@pytest.fixture
def broker():
    """Celery pointed at a Redis of the test's own, tasks queued for real (not run eagerly)."""
    previous = (app.conf.broker_url, app.conf.task_always_eager)

    def use(url: str, eager: bool) -> None:
        app.conf.broker_url, app.conf.task_always_eager = url, eager
        app._pool = None  # the connection pools were made for the previous broker
        app.amqp._producer_pool = None

    with RedisServer() as server:
        use(server.url(), eager=False)
        try:
            yield server
        finally:
            use(*previous)


def test_tests_run_tasks_eagerly():
    assert enqueue(remember, value=1) is True
    assert ran == [1]


@pytest.mark.system
def test_a_stopped_broker_is_a_warning_and_is_not_tried_again_at_once(broker, caplog):
    assert enqueue(remember, value=1) is True  # queued (nobody consumes it here)
    broker.stop()
    caplog.set_level(logging.WARNING, logger="marketplace.queueing")

    start = time.monotonic()
    assert enqueue(remember, value=2) is False
    assert time.monotonic() - start < 1
    with mock.patch.object(remember, "delay") as delay:
        assert enqueue(remember, value=3) is False
    delay.assert_not_called()
    messages = [r.getMessage() for r in caplog.records if r.name == "marketplace.queueing"]
    assert len(messages) == 2
    assert "Could not queue marketplace.tests.test_queueing.remember" in messages[0]
    assert "{'value': 2}" in messages[0]


@pytest.mark.system
def test_a_hung_broker_costs_one_short_timeout(broker):
    assert enqueue(remember, value=1) is True
    broker.pause()
    start = time.monotonic()
    assert enqueue(remember, value=2) is False
    assert enqueue(remember, value=3) is False
    assert time.monotonic() - start < 2.5


@pytest.mark.system
def test_the_broker_is_tried_again_after_a_while(broker, monkeypatch):
    monkeypatch.setattr(queueing, "RETRY_AFTER_SECONDS", 0.2)
    broker.pause()
    assert enqueue(remember, value=1) is False
    broker.resume()
    time.sleep(0.3)
    assert enqueue(remember, value=2) is True


def test_a_failure_while_running_eagerly_does_not_stop_queuing():
    with mock.patch.object(remember, "delay", side_effect=OSError("no broker")):
        assert enqueue(remember, value=1) is False
    assert enqueue(remember, value=2) is True
    assert ran == [2]


@pytest.mark.django_db
def test_on_commit_queues_after_commit_and_not_after_a_rollback(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            enqueue_on_commit(remember, value=1)
            raise RuntimeError
        enqueue_on_commit(remember, value=2)
        assert ran == []
    assert ran == [2]
