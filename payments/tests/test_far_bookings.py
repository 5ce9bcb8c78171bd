"""Bookings further ahead than a card can be held: the card is saved at booking, authorised
off-session nearer the day (the sweep), with a way out when that fails; a reschedule moves the
authorisation with the booking."""

from datetime import timedelta

import pytest

from bookings.models import Booking
from bookings.services import booking_reschedule_accept, booking_reschedule_propose
from bookings.tests.conftest import free_slots
from bookings.tests.factories import open_all_week
from marketplace.errors import NotAllowed, WrongState
from payments.models import Payment
from payments.services.lifecycle import payment_pay_again, payments_sweep
from payments.testing import CARD_CHARGE_DECLINED, CARD_OK, card_saved
from payments.tests.scenarios import (
    accepted,
    booking_at,
    hour_from_now,
    ledger_checked,  # noqa: F401 (autouse)
    payment_of,
    stripe_status,
)

pytestmark = pytest.mark.usefixtures("ledger_checked")
State = Payment.State


@pytest.fixture
def book_far(service, customer):
    """A request ten days ahead, paid with a card of this number (saved when booking)."""

    def book(number: str = CARD_OK) -> Booking:
        card_saved(customer, number)
        return booking_at(service, customer, start=hour_from_now(days=10))

    return book


def _day_is_near(booking: Booking):
    """A moment the sweep runs once the booking is within PAYMENTS_AUTHORISE_DAYS_AHEAD."""
    return booking.start - timedelta(days=5)


def test_accepting_a_far_booking_saves_the_card_without_holding_it(
    book_far, customer, django_capture_on_commit_callbacks
):
    far_booking = book_far()
    payment_open_state = payment_of(far_booking).state

    payment = accepted(far_booking, django_capture_on_commit_callbacks)

    assert payment_open_state == State.SCHEDULED
    assert (payment.state, payment.stripe_payment_intent_id) == (State.SCHEDULED, "")
    assert payment.authorise_after == far_booking.start - timedelta(days=6)
    assert payments_sweep(now=far_booking.start - timedelta(days=7)).handled["authorise"] == 0


def test_the_sweep_authorises_it_off_session_nearer_the_day(
    book_far, customer, django_capture_on_commit_callbacks
):
    far_booking = book_far()
    accepted(far_booking, django_capture_on_commit_callbacks)

    report = payments_sweep(now=_day_is_near(far_booking))

    payment = payment_of(far_booking)
    assert report.handled["authorise"] == 1 and not report.unavailable
    assert payment.state == State.HELD
    assert stripe_status(payment) == "requires_capture"
    assert payments_sweep(now=_day_is_near(far_booking)).handled["authorise"] == 0


def test_a_failed_off_session_charge_keeps_the_booking_and_the_customer_pays_again(
    book_far, customer, django_capture_on_commit_callbacks
):
    far_booking = book_far(CARD_CHARGE_DECLINED)
    accepted(far_booking, django_capture_on_commit_callbacks)

    payments_sweep(now=_day_is_near(far_booking))

    payment = payment_of(far_booking)
    far_booking.refresh_from_db()
    provider = far_booking.provider.user
    assert far_booking.status == Booking.Status.ACCEPTED
    assert (payment.state, payment.failure_message) == (State.FAILED, "Your card was declined.")
    assert "pay again" in customer.notifications.get(kind="payment_failed").body
    assert provider.notifications.filter(kind="payment_failed").count() == 1
    # A failed payment is not tried again on its own (the card would only be refused again).
    assert payments_sweep(now=_day_is_near(far_booking)).handled["authorise"] == 0

    good = card_saved(customer, CARD_OK)
    with pytest.raises(NotAllowed):
        payment_pay_again(payment_id=payment.pk, actor=provider, card_id=good.pk)
    payment = payment_pay_again(
        payment_id=payment.pk, actor=customer, card_id=good.pk, now=_day_is_near(far_booking)
    )

    assert (payment.state, payment.card, payment.failure_message) == (State.HELD, good, "")
    assert payment.attempts == 2
    assert stripe_status(payment) == "requires_capture"
    with pytest.raises(WrongState):
        payment_pay_again(payment_id=payment.pk, actor=customer, card_id=good.pk)


def _move(booking: Booking, *, days_ahead: int, commit) -> None:
    """The provider proposes a free time `days_ahead` and the customer accepts it."""
    open_all_week(booking.provider)
    slot = free_slots(booking.service, days_ahead=days_ahead)[0]
    booking_reschedule_propose(booking=booking, actor=booking.provider.user, start=slot.start)
    with commit(execute=True):
        booking_reschedule_accept(booking=booking, actor=booking.customer)


def test_moving_a_far_booking_near_authorises_it(
    book_far, customer, django_capture_on_commit_callbacks
):
    far_booking = book_far()
    accepted(far_booking, django_capture_on_commit_callbacks)

    _move(far_booking, days_ahead=3, commit=django_capture_on_commit_callbacks)

    payment = payment_of(far_booking)
    assert payment.state == State.HELD
    assert payment.authorise_after == payment.booking.start - timedelta(days=6)


def test_a_hold_moved_beyond_its_life_is_released_and_authorised_again_later(
    service, customer, django_capture_on_commit_callbacks
):
    card_saved(customer)
    booking = booking_at(service, customer, start=hour_from_now(days=3))
    first = accepted(booking, django_capture_on_commit_callbacks)

    _move(booking, days_ahead=20, commit=django_capture_on_commit_callbacks)

    payment = payment_of(booking)
    assert (payment.state, payment.authorised_at) == (State.SCHEDULED, None)
    assert stripe_status(first) == "canceled"
    payments_sweep(now=payment.booking.start - timedelta(days=5))
    payment.refresh_from_db()
    assert payment.state == State.HELD
    assert payment.stripe_payment_intent_id != first.stripe_payment_intent_id
    assert stripe_status(payment) == "requires_capture"
