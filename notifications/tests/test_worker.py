"""End to end through a real Celery worker and Redis: notify() in a transaction, email on disk."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import transaction

from marketplace.celery import app
from marketplace.testing import database_url
from notifications.services import notify

pytestmark = pytest.mark.system  # starts processes of its own: see pyproject.toml

WAIT_SECONDS = 20


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_email_after_commit(customer, tmp_path, monkeypatch):
    monkeypatch.setitem(app.conf, "task_always_eager", False)  # the root conftest sets it
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings",
        "DATABASE_URL": database_url(),  # the test database, not the dev one
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "EMAIL_URL": f"filemail:///{mail_dir}",  # four slashes: an absolute path
    }
    env.pop("DATABASE_TEST_NAME", None)
    with open(log_path, "wb") as log:
        worker = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "marketplace", "worker"),
                *("--pool", "solo", "--concurrency", "1", "--loglevel", "INFO"),
                *("--without-heartbeat", "--without-gossip", "--without-mingle"),
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        with transaction.atomic():
            notification = notify(
                recipient=customer,
                kind="booking_accepted",
                title="Your booking is confirmed",
                body="Pat will see you on Tuesday.",
                url="/notifications/",
                ics="BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
                ics_filename="booking.ics",
            )
        deadline = time.monotonic() + WAIT_SECONDS
        files = []
        while time.monotonic() < deadline and not files:
            assert worker.poll() is None, log_path.read_text()
            time.sleep(0.2)
            files = list(mail_dir.iterdir())
        assert files, "No email within 20 s. Worker log:\n" + log_path.read_text()
        time.sleep(0.3)  # let the worker finish writing and commit email_sent_at
        sent = files[0].read_text()
        assert f"To: {customer.email}" in sent
        assert "Subject: [Nearhand] Your booking is confirmed" in sent
        assert "Pat will see you on Tuesday." in sent
        assert 'filename="booking.ics"' in sent
        assert "text/calendar" in sent
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    assert len(list(mail_dir.iterdir())) == 1
    notification.refresh_from_db()
    assert notification.email_sent_at is not None
    assert notification.email_attempts == 1
