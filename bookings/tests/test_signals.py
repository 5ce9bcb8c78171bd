"""Booking events reach upper apps after commit, once, and a failing receiver harms nothing."""

from contextlib import contextmanager

import pytest
from django.utils import timezone

from bookings import services, signals
from bookings.models import Booking
from bookings.tests.conftest import free_slots
from bookings.tests.factories import BookingFactory
from marketplace.errors import WrongState

pytestmark = pytest.mark.django_db


@contextmanager
def received(signal):
    calls = []

    def receiver(sender, **kwargs):
        calls.append((sender, kwargs))

    signal.connect(receiver, weak=False)
    try:
        yield calls
    finally:
        signal.disconnect(receiver)


def test_a_new_booking_is_announced_only_once_committed(
    service, customer, django_capture_on_commit_callbacks
):
    slot = free_slots(service)[0]
    with received(signals.booking_created) as calls:
        with django_capture_on_commit_callbacks(execute=False) as pending:
            booking = services.booking_create(
                customer=customer,
                service=service,
                start=slot.start,
                street_address="1 Beach Road",
                place="Bondi",
            )
        assert calls == []  # nothing before the commit
        for callback in pending:
            callback()
    assert calls == [
        (Booking, {"signal": signals.booking_created, "booking": booking, "actor": customer})
    ]


def test_a_refused_change_announces_nothing(service, customer, django_capture_on_commit_callbacks):
    booking = BookingFactory(service=service, customer=customer, status="declined")
    with (
        received(signals.booking_cancelled) as calls,
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(WrongState, match="cannot be cancelled"),
    ):
        services.booking_cancel(booking=booking, actor=customer, reason="Changed")
    assert calls == []


@pytest.mark.parametrize(
    ("signal", "change"),
    [
        (signals.booking_accepted, lambda b, p, c: services.booking_accept(booking=b, actor=p)),
        (signals.booking_declined, lambda b, p, c: services.booking_decline(booking=b, actor=p)),
        (
            signals.booking_cancelled,
            lambda b, p, c: services.booking_cancel(booking=b, actor=c, reason="Away"),
        ),
    ],
)
def test_each_transition_sends_its_event(
    service, customer, signal, change, django_capture_on_commit_callbacks
):
    booking = BookingFactory(service=service, customer=customer)
    with received(signal) as calls, django_capture_on_commit_callbacks(execute=True):
        changed = change(booking, service.provider.user, customer)
    assert [kwargs["booking"].pk for _, kwargs in calls] == [changed.pk]
    assert calls[0][1]["booking"].status == changed.status


def test_completing_a_job_sends_booking_completed_even_if_a_receiver_fails(
    service, customer, django_capture_on_commit_callbacks, caplog
):
    booking = BookingFactory(
        service=service, customer=customer, status="accepted", start=timezone.now()
    )

    def broken(sender, **kwargs):
        raise RuntimeError("a reviews bug")

    signals.booking_completed.connect(broken, weak=False)
    try:
        with (
            received(signals.booking_completed) as calls,
            django_capture_on_commit_callbacks(execute=True),
        ):
            services.booking_complete(booking=booking, actor=service.provider.user)
    finally:
        signals.booking_completed.disconnect(broken)
    assert len(calls) == 1
    assert Booking.objects.get(pk=booking.pk).status == "completed"
    assert "Receiver" in caplog.text and "a reviews bug" in caplog.text


def test_an_expiry_has_no_actor(service, customer, django_capture_on_commit_callbacks):
    booking = BookingFactory(service=service, customer=customer, start=timezone.now())
    with (
        received(signals.booking_expired) as calls,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.booking_expire(booking=booking)
    assert calls[0][1]["actor"] is None
