"""The webhook end to end, as in `make run`: a localstripe of the test's own, told to send its
events to the site (as scripts/provision.sh does), signs and posts a real event when a job's
payment is captured; the site verifies, stores and processes it."""

import os
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import requests
import stripe
from django.conf import settings
from django.urls import reverse

from payments.models import Payment, WebhookEvent
from payments.testing import card_saved
from payments.tests.scenarios import accepted, booking_at, completed, hour_from_now, payment_of

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def own_localstripe(settings, monkeypatch):
    """A fresh localstripe (in memory) on a port of its own; Stripe calls go to it."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "run_localstripe.py"), "--port", str(port)],
        env={**os.environ, "LOCALSTRIPE_STORE": ""},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(80):
            try:
                requests.get(f"{base}/v1/customers", auth=("sk_test_probe", ""), timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.25)
        settings.STRIPE_API_BASE = base
        monkeypatch.setattr(stripe, "api_base", base)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_capture_on_localstripe_arrives_as_a_signed_event(
    own_localstripe, live_server, service, customer, django_capture_on_commit_callbacks
):
    requests.post(
        f"{own_localstripe}/_config/webhooks/nearhand",
        data={
            "url": live_server.url + reverse("stripe_webhook"),
            "secret": settings.STRIPE_WEBHOOK_SECRET,
        },
        timeout=5,
    ).raise_for_status()
    card_saved(customer)
    booking = booking_at(service, customer, start=hour_from_now(days=3))
    accepted(booking, django_capture_on_commit_callbacks)

    payment = completed(booking, django_capture_on_commit_callbacks)

    succeeded = WebhookEvent.objects.filter(
        type="payment_intent.succeeded", processed_at__isnull=False
    )
    deadline = time.monotonic() + 15  # localstripe waits a second before it sends
    while time.monotonic() < deadline and not succeeded.exists():
        time.sleep(0.2)
    event = succeeded.get()
    assert event.payload["data"]["object"]["id"] == payment.stripe_payment_intent_id
    assert event.received_at - payment.captured_at < timedelta(seconds=15)
    assert payment_of(booking).state == Payment.State.PAID
    assert payment_of(booking).transactions.count() == 1
    # Its other events (the customer, the card...) are stored and done with too.
    assert set(WebhookEvent.objects.values_list("error", flat=True)) == {""}
    assert "customer.created" in set(WebhookEvent.objects.values_list("type", flat=True))
