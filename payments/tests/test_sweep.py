"""The sweep: when the broker was down as a booking changed, the payment's task was lost; the
beat sweep does the step instead, and one payment Stripe cannot take does not stop the others."""

from datetime import timedelta

import pytest
from celery.schedules import crontab

from bookings.models import Booking
from bookings.services import booking_cancel, booking_complete, booking_decline, booking_expire
from payments import stripe_api, tasks
from payments.errors import PaymentsUnavailable
from payments.models import Payment
from payments.services.lifecycle import payments_sweep
from payments.testing import card_saved
from payments.tests.scenarios import (
    accepted,
    booking_at,
    hour_from_now,
    ledger_checked,  # noqa: F401 (autouse)
    lose_payment_tasks,
    payment_of,
    stripe_net,
    stripe_status,
)

pytestmark = pytest.mark.usefixtures("ledger_checked")
State = Payment.State


@pytest.fixture
def held(service, customer, django_capture_on_commit_callbacks):
    """Make bookings three days ahead, each an hour after the last, whose card is held (the
    broker was up for that)."""
    card_saved(customer)
    made = []

    def make() -> Booking:
        start = hour_from_now(days=3) + timedelta(hours=len(made))
        booking = booking_at(service, customer, start=start)
        made.append(booking)
        accepted(booking, django_capture_on_commit_callbacks)
        booking.refresh_from_db()
        return booking

    return make


def _later(booking: Booking):
    return booking.start + timedelta(hours=2)


def test_each_lost_step_is_done_by_the_sweep(
    held, service, customer, monkeypatch, django_capture_on_commit_callbacks
):
    done, cancelled = held(), held()
    declined = booking_at(service, customer, start=hour_from_now(days=4))
    expired = booking_at(service, customer, start=hour_from_now(days=5))
    broker_down = lose_payment_tasks(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        booking_complete(booking=done, actor=done.provider.user, now=_later(done))
        booking_cancel(
            booking=cancelled,
            actor=customer,
            reason="Plans changed",
            now=cancelled.start - timedelta(hours=1),
        )
        booking_decline(booking=declined, actor=declined.provider.user)
        booking_expire(booking=expired, now=_later(expired))
    assert [name for name, _ in broker_down] == [
        "payments.tasks.payment_capture",
        "payments.tasks.payment_settle_cancellation",
        "payments.tasks.payment_release",
        "payments.tasks.payment_release",
    ]
    assert payment_of(done).state == State.HELD  # nothing ran

    report = payments_sweep()

    assert report.handled == {"capture": 1, "settle": 1, "release": 2, "authorise": 0}
    assert (payment_of(done).state, stripe_net(payment_of(done))) == (State.PAID, 18000)
    settled = payment_of(cancelled)
    assert (settled.state, settled.captured_cents, stripe_net(settled)) == (State.PAID, 9000, 9000)
    assert payment_of(declined).state == payment_of(expired).state == State.RELEASED
    assert payments_sweep().handled == {"capture": 0, "settle": 0, "release": 0, "authorise": 0}


def test_the_beat_sweep_does_a_lost_authorisation_every_15_minutes(
    service, customer, monkeypatch, settings, django_capture_on_commit_callbacks
):
    entry = settings.CELERY_BEAT_SCHEDULE["payments-sweep"]
    assert (entry["task"], entry["schedule"]) == (tasks.payments_sweep.name, crontab(minute="*/15"))
    card_saved(customer)
    booking = booking_at(service, customer, start=hour_from_now(days=3))
    lose_payment_tasks(monkeypatch)

    assert accepted(booking, django_capture_on_commit_callbacks).state == State.SCHEDULED
    handled = tasks.payments_sweep.delay().get()

    assert handled == {"capture": 0, "settle": 0, "release": 0, "authorise": 1}
    assert stripe_status(payment_of(booking)) == "requires_capture"


def test_stripe_failing_for_one_payment_does_not_stop_the_others(
    held, monkeypatch, django_capture_on_commit_callbacks
):
    first, second = held(), held()
    lose_payment_tasks(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        for booking in (first, second):
            booking_complete(booking=booking, actor=booking.provider.user, now=_later(booking))
    unreachable = payment_of(first).stripe_payment_intent_id
    capture = stripe_api.intent_capture

    def capture_unless_unreachable(*, payment_intent_id, **kwargs):
        if payment_intent_id == unreachable:
            raise PaymentsUnavailable()
        return capture(payment_intent_id=payment_intent_id, **kwargs)

    monkeypatch.setattr(stripe_api, "intent_capture", capture_unless_unreachable)

    report = payments_sweep()

    assert report.unavailable == [payment_of(first).pk]
    assert (payment_of(first).state, payment_of(second).state) == (State.HELD, State.PAID)
    monkeypatch.setattr(stripe_api, "intent_capture", capture)
    assert payments_sweep().handled["capture"] == 1
    assert payment_of(first).state == State.PAID


def test_the_sweep_is_bounded_per_run(held, monkeypatch, django_capture_on_commit_callbacks):
    bookings = [held(), held(), held()]
    lose_payment_tasks(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        for booking in bookings:
            booking_complete(booking=booking, actor=booking.provider.user, now=_later(booking))

    assert payments_sweep(batch=2).handled["capture"] == 2
    assert payments_sweep(batch=2).handled["capture"] == 1
    assert {payment_of(booking).state for booking in bookings} == {State.PAID}
