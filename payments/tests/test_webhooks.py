"""Stripe's webhooks: signed the way Stripe signs them (`t=<ts>,v1=<HMAC-SHA256 of
"<ts>.<body>">`), stored once by event id, processed once after commit; anything unsigned or
malformed changes nothing; late, repeated or out-of-order events are harmless."""

import hashlib
import hmac
import json
import time
from datetime import timedelta
from itertools import count

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking
from payments import stripe_api, tasks
from payments.errors import PaymentsUnavailable
from payments.models import Payment, WebhookEvent
from payments.services import webhooks
from payments.services.refunds import payment_refund
from payments.testing import card_saved
from payments.tests.scenarios import (
    StripeCalls,
    accepted,
    booking_at,
    completed,
    hour_from_now,
    ledger_checked,  # noqa: F401 (autouse)
    lose_payment_tasks,
    payment_of,
    stripe_net,
    stripe_status,
)

pytestmark = pytest.mark.usefixtures("ledger_checked")
State = Payment.State
URL = "/payments/webhooks/stripe/"
_event_ids = count(1)


def signature(body: bytes, *, secret: str | None = None, at: float | None = None) -> str:
    at = int(time.time() if at is None else at)
    secret = settings.STRIPE_WEBHOOK_SECRET if secret is None else secret
    mac = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={at},v1={mac}"


def event_body(kind: str, obj: dict, *, event_id: str | None = None) -> bytes:
    event = {
        "id": event_id or f"evt_test{next(_event_ids)}",
        "object": "event",
        "type": kind,
        "created": int(time.time()),
        "data": {"object": obj},
    }
    return json.dumps(event).encode()


def intent_snapshot(payment: Payment) -> dict:
    """The intent as Stripe has it now, as an event would carry it."""
    return stripe_api.intent_retrieve(payment.stripe_payment_intent_id).to_dict()


def deliver(client, body: bytes, commit, **headers):
    headers.setdefault("Stripe-Signature", signature(body))
    with commit(execute=True):
        return client.post(URL, data=body, content_type="application/json", headers=headers)


@pytest.fixture
def held(service, customer, django_capture_on_commit_callbacks):
    card_saved(customer)
    booking = booking_at(service, customer, start=hour_from_now(days=3))
    return accepted(booking, django_capture_on_commit_callbacks)


def test_the_url_is_the_one_stripe_is_given():
    assert reverse("stripe_webhook") == URL


def test_a_hold_cancelled_on_stripes_side_is_held_again(
    client, held, django_capture_on_commit_callbacks
):
    old_intent = held.stripe_payment_intent_id
    stripe_api.intent_cancel(payment_intent_id=old_intent, idempotency_key="dashboard-cancel")
    body = event_body("payment_intent.canceled", intent_snapshot(held))

    response = deliver(client, body, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert response.json()["duplicate"] is False
    event = WebhookEvent.objects.get()
    assert (event.type, event.error) == ("payment_intent.canceled", "")
    assert event.processed_at is not None
    payment = payment_of(held.booking)
    assert payment.state == State.HELD
    assert payment.stripe_payment_intent_id != old_intent
    assert stripe_status(payment) == "requires_capture"


def test_a_replay_is_stored_once_and_processed_once(
    client, held, monkeypatch, django_capture_on_commit_callbacks
):
    synced = []
    sync = webhooks.payment_sync
    monkeypatch.setattr(
        webhooks, "payment_sync", lambda **kwargs: synced.append(kwargs) or sync(**kwargs)
    )
    body = event_body("payment_intent.amount_capturable_updated", intent_snapshot(held))

    first = deliver(client, body, django_capture_on_commit_callbacks)
    again = deliver(client, body, django_capture_on_commit_callbacks)

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == {"received": WebhookEvent.objects.get().stripe_id, "duplicate": True}
    assert len(synced) == 1
    assert webhooks.webhook_process(event_id=WebhookEvent.objects.get().pk) is False


def _refused_requests():
    body = event_body("payment_intent.succeeded", {"id": "pi_x", "object": "payment_intent"})
    no_id = json.dumps({"type": "payment_intent.succeeded", "data": {"object": {}}}).encode()
    no_object = json.dumps({"id": "evt_1", "type": "x", "data": {"object": []}}).encode()
    return [
        pytest.param(body, {"Stripe-Signature": ""}, id="unsigned"),
        pytest.param(body, {"Stripe-Signature": signature(body, secret="whsec_other")}, id="wrong"),
        pytest.param(
            body, {"Stripe-Signature": signature(body, at=time.time() - 3600)}, id="stale"
        ),
        pytest.param(body, {"Stripe-Signature": "t=1,v1=abc,v0=zz"}, id="garbled"),
        pytest.param(b"{not json", {"Stripe-Signature": signature(b"{not json")}, id="bad-json"),
        pytest.param(b"\xff\xfe", {"Stripe-Signature": signature(b"\xff\xfe")}, id="bad-utf8"),
        pytest.param(no_id, {"Stripe-Signature": signature(no_id)}, id="no-event-id"),
        pytest.param(no_object, {"Stripe-Signature": signature(no_object)}, id="no-object"),
        pytest.param(b"[]", {"Stripe-Signature": signature(b"[]")}, id="not-an-object"),
        pytest.param(b"null", {"Stripe-Signature": signature(b"null")}, id="null"),
    ]


@pytest.mark.parametrize(("body", "headers"), _refused_requests())
def test_anything_not_signed_by_stripe_is_refused_and_changes_nothing(
    client, db, body, headers, django_capture_on_commit_callbacks
):
    response = deliver(client, body, django_capture_on_commit_callbacks, **headers)

    assert response.status_code == 400
    assert response.json()["error"]
    assert not WebhookEvent.objects.exists()


def test_without_a_signing_secret_nothing_is_accepted(client, db, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    body = event_body("payment_intent.succeeded", {"id": "pi_x"})

    response = client.post(
        URL,
        data=body,
        content_type="application/json",
        headers={"Stripe-Signature": signature(body, secret="")},
    )

    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()


def test_only_a_post_of_a_bounded_size_is_read(client, db):
    assert client.get(URL).status_code == 405
    huge = b"{" + b" " * (256 * 1024) + b"}"
    response = client.post(
        URL,
        data=huge,
        content_type="application/json",
        headers={"Stripe-Signature": signature(huge)},
    )
    assert response.status_code == 413
    assert not WebhookEvent.objects.exists()


def test_late_and_out_of_order_events_change_nothing(
    client, held, django_capture_on_commit_callbacks
):
    while_held = intent_snapshot(held)
    payment = completed(held.booking, django_capture_on_commit_callbacks)
    after_capture = intent_snapshot(payment)

    for kind, snapshot in [
        ("payment_intent.succeeded", after_capture),
        ("payment_intent.amount_capturable_updated", while_held),  # older, arrives later
        ("payment_intent.succeeded", after_capture),  # the same news in another event
    ]:
        response = deliver(client, event_body(kind, snapshot), django_capture_on_commit_callbacks)
        assert response.status_code == 200

    payment.refresh_from_db()
    assert (payment.state, payment.captured_cents) == (State.PAID, 18000)
    assert payment.transactions.count() == 1
    assert WebhookEvent.objects.filter(processed_at__isnull=True).count() == 0


def test_our_own_refund_is_not_recorded_twice(client, held, django_capture_on_commit_callbacks):
    payment = completed(held.booking, django_capture_on_commit_callbacks)
    payment_refund(payment_id=payment.pk, amount_cents=5000, reason="Part not done", actor=None)
    charge = intent_snapshot(payment)["latest_charge"]

    deliver(client, event_body("charge.refunded", charge), django_capture_on_commit_callbacks)

    payment.refresh_from_db()
    assert (payment.refunded_cents, payment.refunds.count()) == (5000, 1)


def test_a_refund_made_on_stripe_directly_is_recorded_in_the_ledger(
    client, held, django_capture_on_commit_callbacks
):
    payment = completed(held.booking, django_capture_on_commit_callbacks)
    stripe_api.refund_create(
        payment_intent_id=payment.stripe_payment_intent_id,
        amount_cents=3000,
        idempotency_key="dashboard-refund",
        metadata={},
    )
    charge = intent_snapshot(payment)["latest_charge"]

    deliver(client, event_body("charge.refunded", charge), django_capture_on_commit_callbacks)

    payment.refresh_from_db()
    assert (payment.refunded_cents, payment.net_cents) == (3000, 15000)
    assert payment.refunds.get().reason == webhooks.DIRECT_REFUND_REASON
    assert stripe_net(payment) == 15000


def test_a_hold_whose_commit_was_lost_is_adopted(
    client, service, customer, monkeypatch, django_capture_on_commit_callbacks
):
    card = card_saved(customer)
    booking = booking_at(service, customer, start=hour_from_now(days=3))
    lose_payment_tasks(monkeypatch)
    payment = accepted(booking, django_capture_on_commit_callbacks)
    # payment_authorise reached Stripe, then our commit was lost:
    intent = stripe_api.intent_authorise(
        amount_cents=payment.amount_cents,
        customer_id=customer.stripe_customer.stripe_id,
        payment_method_id=card.stripe_payment_method_id,
        idempotency_key=f"payment-{payment.pk}-authorise-1",
        metadata={"payment_id": str(payment.pk), "booking_id": str(booking.pk)},
    )
    calls = StripeCalls(monkeypatch, "intent_authorise")

    body = event_body("payment_intent.amount_capturable_updated", intent.to_dict())
    deliver(client, body, django_capture_on_commit_callbacks)

    payment.refresh_from_db()
    assert (payment.state, payment.stripe_payment_intent_id) == (State.HELD, intent.id)
    assert calls["intent_authorise"] == 0


def test_an_event_for_someone_elses_intent_is_ignored(
    client, held, service, customer, django_capture_on_commit_callbacks
):
    other = booking_at(service, customer, start=hour_from_now(days=4))
    # An event naming another payment than the one Stripe's own intent is for.
    snapshot = intent_snapshot(held) | {"metadata": {"payment_id": str(payment_of(other).pk)}}
    Payment.objects.filter(pk=held.pk).update(stripe_payment_intent_id="")

    response = deliver(
        client, event_body("payment_intent.canceled", snapshot), django_capture_on_commit_callbacks
    )

    assert response.status_code == 200
    assert payment_of(other).state == State.SCHEDULED
    assert payment_of(other).stripe_payment_intent_id == ""
    assert WebhookEvent.objects.get().processed_at is not None


def test_the_sweeper_processes_events_whose_task_was_lost_or_failed(
    client, held, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(webhooks, "enqueue_on_commit", lambda task, **kwargs: None)
    stripe_api.intent_cancel(payment_intent_id=held.stripe_payment_intent_id, idempotency_key="x")
    deliver(
        client,
        event_body("payment_intent.canceled", intent_snapshot(held)),
        django_capture_on_commit_callbacks,
    )
    event = WebhookEvent.objects.get()
    assert event.processed_at is None
    assert webhooks.webhooks_sweep() == 0  # it just arrived: its task may still run

    retrieve = stripe_api.intent_retrieve

    def stripe_down(*args, **kwargs):
        raise PaymentsUnavailable()

    monkeypatch.setattr(stripe_api, "intent_retrieve", stripe_down)
    later = timezone.now() + timedelta(minutes=3)
    assert webhooks.webhooks_sweep(now=later) == 0
    event.refresh_from_db()
    assert event.processed_at is None and "payment provider" in event.error
    assert payment_of(held.booking).state == State.HELD

    monkeypatch.setattr(stripe_api, "intent_retrieve", retrieve)
    assert webhooks.webhooks_sweep(now=later) == 1
    event.refresh_from_db()
    assert (event.processed_at, event.error) == (later, "")
    payment = payment_of(held.booking)
    assert payment.state == State.HELD
    assert payment.stripe_payment_intent_id != held.stripe_payment_intent_id


def test_a_completed_jobs_lapsed_hold_is_charged_anew(
    client, held, monkeypatch, django_capture_on_commit_callbacks
):
    lose_payment_tasks(monkeypatch)
    completed(held.booking, django_capture_on_commit_callbacks)
    assert payment_of(held.booking).booking.status == Booking.Status.COMPLETED
    stripe_api.intent_cancel(payment_intent_id=held.stripe_payment_intent_id, idempotency_key="x")

    deliver(
        client,
        event_body("payment_intent.canceled", intent_snapshot(held)),
        django_capture_on_commit_callbacks,
    )

    payment = payment_of(held.booking)
    assert (payment.state, payment.captured_cents) == (State.PAID, 18000)
    assert stripe_net(payment) == 18000


def test_the_beat_sweeps_waiting_events_every_5_minutes(
    client, held, monkeypatch, settings, django_capture_on_commit_callbacks
):
    entry = settings.CELERY_BEAT_SCHEDULE["stripe-webhooks-sweep"]
    assert (entry["task"], entry["schedule"]) == (tasks.webhooks_sweep.name, crontab(minute="*/5"))
    monkeypatch.setattr(webhooks, "enqueue_on_commit", lambda task, **kwargs: None)
    body = event_body("payment_intent.amount_capturable_updated", intent_snapshot(held))
    deliver(client, body, django_capture_on_commit_callbacks)
    WebhookEvent.objects.update(received_at=timezone.now() - timedelta(minutes=3))

    assert tasks.webhooks_sweep.delay().get() == 1
    assert WebhookEvent.objects.get().processed_at is not None


def test_an_intent_stripe_does_not_know_is_not_tried_forever(
    client, held, django_capture_on_commit_callbacks
):
    Payment.objects.filter(pk=held.pk).update(stripe_payment_intent_id="pi_unknown")
    snapshot = intent_snapshot(held) | {"id": "pi_unknown"}

    deliver(
        client, event_body("payment_intent.canceled", snapshot), django_capture_on_commit_callbacks
    )

    event = WebhookEvent.objects.get()
    assert event.processed_at is not None
    assert event.error == "Stripe does not know this event's payment intent."
    assert payment_of(held.booking).state == State.HELD
    Payment.objects.filter(pk=held.pk).update(
        stripe_payment_intent_id=held.stripe_payment_intent_id
    )
