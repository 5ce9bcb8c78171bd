"""Workers killed in the middle of a batch of notification emails, and a sweeper racing a worker:
each email is sent exactly once (real Celery workers, Redis, the test database, and a slow mail
server: notifications/tests/slow_mail.py)."""

import base64
import json
import os
import signal
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from accounts.tests.factories import UserFactory
from marketplace.celery import app
from marketplace.testing import celery_worker
from notifications.models import Notification
from notifications.services import EMAIL_SWEEP_AFTER, notify, unsent_notification_emails_sweep

pytestmark = pytest.mark.system  # starts processes of its own: see pyproject.toml

SLOW_MAIL = "notifications.tests.slow_mail.EmailBackend"
TASK = "notifications.tasks.send_notification_email"
WAIT_SECONDS = 60


@pytest.fixture
def broker(monkeypatch):
    """The test's Redis as a Celery broker with nothing queued, tasks queued for real."""
    monkeypatch.setitem(app.conf, "task_always_eager", False)  # the root conftest sets it
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    keys = ("email", "default", "unacked", "unacked_index")
    client.delete(*keys)  # what an earlier run left would be delivered here
    yield client
    client.delete(*keys)
    client.close()


@pytest.fixture
def mail_dir(tmp_path) -> Path:
    for folder in ("sending", "hold", "sent"):
        (tmp_path / "mail" / folder).mkdir(parents=True)
    return tmp_path / "mail"


def _worker_env(mail_dir: Path, **more: str) -> dict[str, str]:
    return {
        "EMAIL_URL": f"filemail:///{mail_dir}",  # four slashes: an absolute path
        "EMAIL_BACKEND": SLOW_MAIL,
        **more,
    }


def _batch(size: int) -> list[Notification]:
    """`size` notifications to people of their own, committed: their tasks are queued."""
    people = UserFactory.create_batch(size)
    with transaction.atomic():
        return [
            notify(recipient=person, kind="x", title=f"Batch {n}", body="", url="/notifications/")
            for n, person in enumerate(people, start=1)
        ]


def _sent(mail_dir: Path) -> Counter[str]:
    """How many emails went to each address."""
    return Counter(path.name.split(" ")[0] for path in (mail_dir / "sent").glob("*.eml"))


def _senders(mail_dir: Path) -> Counter[int]:
    """How many emails each process sent."""
    return Counter(int(path.name.split(" ")[1]) for path in (mail_dir / "sent").glob("*.eml"))


def _wait(what: str, done: Callable[[], object], *logs: Path) -> object:
    deadline = time.monotonic() + WAIT_SECONDS
    while not (result := done()):
        if time.monotonic() > deadline:
            shown = "\n".join(f"--- {log.name}\n{log.read_text()[-4000:]}" for log in logs)
            raise AssertionError(f"Waited {WAIT_SECONDS} s for {what}.\n{shown}")
        time.sleep(0.02)
    return result


def _sending_pid(mail_dir: Path, email: str) -> int | None:
    """The process that has begun sending to `email`, if one has."""
    notes = list((mail_dir / "sending").glob(f"{email} *"))
    return int(notes[-1].read_text()) if len(notes) == 1 else None


def _unacknowledged(broker: redis.Redis) -> list[tuple[str, int]]:
    """The messages delivered and never acknowledged: (task id, notification id) each."""
    found = []
    for payload in broker.hvals("unacked"):
        message = json.loads(payload)[0]
        _, kwargs, _ = json.loads(base64.b64decode(message["body"]))
        found.append((message["headers"]["id"], kwargs["notification_id"]))
    return found


def _drained(broker: redis.Redis, *, lost: int) -> bool:
    """Nothing left on the email queue, and no message in a worker's hands but the `lost` ones
    (twice, half a second apart: a message is off the queue a moment before it is in hand)."""
    for pause in (0.5, 0):
        if broker.llen("email") or broker.hlen("unacked") != lost:
            return False
        time.sleep(pause)
    return True


def _unsent() -> set[int]:
    return set(Notification.objects.filter(email_sent_at__isnull=True).values_list("pk", flat=True))


@pytest.mark.django_db(transaction=True)
def test_workers_killed_mid_batch_send_every_email_exactly_once(broker, mail_dir, tmp_path):
    batch = _batch(30)
    assert broker.llen("email") == 30
    emails = [n.recipient.email for n in batch]
    fifth, twelfth = batch[4], batch[11]  # one worker process takes the queue in order
    for held in (fifth, twelfth):  # the mail server stalls on these two: the kills land there
        (mail_dir / "hold" / held.recipient.email).touch()
    logs = [tmp_path / f"worker{n}.log" for n in (1, 2, 3)]
    env = _worker_env(mail_dir)

    with celery_worker(env, log_path=logs[0], extra=("--concurrency", "1")) as first:
        # The pool process sending the fifth email is killed (the OOM killer): the worker lives
        # on, and puts the task back on the queue (CELERY_TASK_REJECT_ON_WORKER_LOST).
        child = _wait(
            "the fifth send", lambda: _sending_pid(mail_dir, fifth.recipient.email), logs[0]
        )
        assert child != first.pid
        os.kill(child, signal.SIGKILL)
        (mail_dir / "hold" / fifth.recipient.email).unlink()
        # Then the whole worker is killed while sending the twelfth (its machine is gone): its
        # task stays delivered and unacknowledged, in nobody's hands.
        _wait("the twelfth send", lambda: _sending_pid(mail_dir, twelfth.recipient.email), logs[0])
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
        (mail_dir / "hold" / twelfth.recipient.email).unlink()
    assert _sent(mail_dir) == Counter(
        {email: 1 for email in emails[:11] if email != fifth.recipient.email}
    )
    [(lost_task_id, lost_notification)] = _unacknowledged(broker)
    assert lost_notification == twelfth.pk

    # A second worker takes the rest of the queue, the fifth's task among it.
    with celery_worker(env, log_path=logs[1]):
        _wait("the second worker to empty the queue", lambda: _drained(broker, lost=1), *logs)
    assert _unsent() == {twelfth.pk}, "the killed pool process's task was not sent again"

    # The sweeper sends what no task will before the broker's visibility timeout (an hour).
    with override_settings(EMAIL_BACKEND=SLOW_MAIL, EMAIL_FILE_PATH=str(mail_dir)):
        assert unsent_notification_emails_sweep(now=timezone.now() + EMAIL_SWEEP_AFTER) == 1
    assert _unsent() == set()

    # Past the visibility timeout, a worker is given the killed worker's task again: it finds
    # the email sent and sends nothing.
    with celery_worker(
        {**env, "CELERY_VISIBILITY_TIMEOUT": "1"},
        log_path=logs[2],
        extra=("--pool", "solo", "--concurrency", "1"),
    ):
        _wait(
            "the redelivered task",
            lambda: f"{TASK}[{lost_task_id}] succeeded" in logs[2].read_text(),
            *logs,
        )
    assert _unacknowledged(broker) == []

    assert _sent(mail_dir) == Counter({email: 1 for email in emails})
    attempts = dict(Notification.objects.values_list("pk", "email_attempts"))
    # The two sends that were killed count as attempts.
    assert attempts == {n.pk: 2 if n in (fifth, twelfth) else 1 for n in batch}


@pytest.mark.django_db(transaction=True)
def test_a_sweeper_racing_a_worker_sends_each_email_once(broker, mail_dir, tmp_path):
    batch = _batch(12)
    log = tmp_path / "worker.log"
    with celery_worker(
        _worker_env(mail_dir, SLOW_MAIL_SECONDS="0.3"),
        log_path=log,
        extra=("--pool", "solo", "--concurrency", "1"),
    ) as worker:
        _wait(
            "the worker's first send", lambda: _sending_pid(mail_dir, batch[0].recipient.email), log
        )
        # As if every task were lost: the sweeper walks the same notifications as the worker.
        with override_settings(EMAIL_BACKEND=SLOW_MAIL, EMAIL_FILE_PATH=str(mail_dir)):
            swept = unsent_notification_emails_sweep(now=timezone.now() + EMAIL_SWEEP_AFTER)
        _wait("the worker", lambda: not _unsent() and not broker.llen("email"), log)

    assert _sent(mail_dir) == Counter({n.recipient.email: 1 for n in batch})
    senders = _senders(mail_dir)
    assert set(senders) == {worker.pid, os.getpid()}, "the race was not run: one side sent all"
    assert senders[os.getpid()] == swept
