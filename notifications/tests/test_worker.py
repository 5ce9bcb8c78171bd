"""End to end through a real Celery worker and Redis: notify() in a transaction, email on disk."""

import time

import pytest
from django.db import transaction

from marketplace.celery import app
from marketplace.testing import celery_worker
from notifications.services import notify

pytestmark = pytest.mark.system  # starts processes of its own: see pyproject.toml

WAIT_SECONDS = 20


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_email_after_commit(customer, tmp_path, monkeypatch):
    monkeypatch.setitem(app.conf, "task_always_eager", False)  # the root conftest sets it
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log_path = tmp_path / "worker.log"
    # The Procfile's worker (what `make run` starts), so its queues are proved to take email.
    with celery_worker(
        {"EMAIL_URL": f"filemail:///{mail_dir}"},  # four slashes: an absolute path
        log_path=log_path,
        extra=("--pool", "solo", "--concurrency", "1"),
    ) as worker:
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
    assert len(list(mail_dir.iterdir())) == 1
    notification.refresh_from_db()
    assert notification.email_sent_at is not None
    assert notification.email_attempts == 1
