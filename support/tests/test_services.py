"""Reporting a problem, writing in a case, closing it: the windows, the one open case, the
trail, the notifications and the payout hold."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from accounts.tests.moderators import moderator_make, plain_staff_make
from bookings.models import Booking
from bookings.tests.factories import BookingFactory
from marketplace.errors import Invalid, NotAllowed, WrongState
from notifications.models import Notification
from payments.models import Payment
from support import services
from support.models import CASE_MAX_PHOTOS, Case, CaseEvent, CasePhoto
from support.tests.conftest import png
from support.tests.factories import finished_booking

DESCRIPTION = "The new tap leaks under the sink."


def _open(booking, user=None, **kwargs):
    fields = {"reason": Case.Reason.POOR_QUALITY, "description": DESCRIPTION} | kwargs
    return services.case_open(booking=booking, user=user or booking.customer, **fields)


@pytest.mark.parametrize(
    ("ago", "allowed"),
    [
        (timedelta(days=6, hours=23), True),
        (timedelta(days=7) - timedelta(minutes=1), True),
        (timedelta(days=7, minutes=1), False),
        (timedelta(days=30), False),
    ],
)
@pytest.mark.parametrize("status", [Booking.Status.COMPLETED, Booking.Status.CANCELLED])
def test_a_problem_is_reported_within_seven_days_of_the_end(db, places, ago, allowed, status):
    booking = finished_booking(status=status, at=timezone.now() - ago)

    if allowed:
        assert _open(booking).state == Case.State.OPEN
    else:
        with pytest.raises(WrongState) as refused:
            _open(booking)
        assert refused.value.code == "report_window_closed"
        assert not Case.objects.exists()


@pytest.mark.parametrize("status", [Booking.Status.PENDING, Booking.Status.ACCEPTED, "declined"])
def test_no_report_before_the_booking_ends(db, places, status):
    booking = BookingFactory(status=status)

    with pytest.raises(WrongState) as refused:
        _open(booking)

    assert refused.value.code == "not_finished"


def test_either_party_may_report_and_nobody_else(booking):
    with pytest.raises(NotAllowed):
        _open(booking, user=UserFactory())
    with pytest.raises(NotAllowed):
        _open(booking, user=moderator_make())

    case = _open(booking, user=booking.provider.user, reason=Case.Reason.NO_SHOW)

    assert case.opened_by == booking.provider.user


def test_one_open_case_per_booking_then_another_once_it_is_closed(booking):
    case = _open(booking)
    with pytest.raises(WrongState) as refused:
        _open(booking, user=booking.provider.user)
    assert refused.value.code == "case_already_open"

    services.case_close(case=case, actor=moderator_make(), outcome=Case.Outcome.NO_ACTION)

    assert _open(booking).pk != case.pk


def test_the_database_refuses_a_second_open_case(booking):
    from django.db import IntegrityError, transaction

    Case.objects.create(booking=booking, opened_by=booking.customer, reason="damage")
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(booking=booking, opened_by=booking.customer, reason="damage")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"reason": "nope"}, "reason"),
        ({"reason": ""}, "reason"),
        ({"description": "short"}, "description"),
        ({"description": "\x00" * 50}, "description"),
        ({"description": "x" * 2001}, "description"),
        ({"photos": [png() for _ in range(CASE_MAX_PHOTOS + 1)]}, "photos"),
        ({"photos": [png(size=(50, 50))]}, "photos"),
    ],
)
def test_bad_input_is_refused_and_saves_nothing(booking, fields, field):
    with pytest.raises(Invalid) as refused:
        _open(booking, **fields)

    assert field in refused.value.fields
    assert not Case.objects.exists()
    assert not CasePhoto.objects.exists()


def test_opening_records_holds_the_payout_and_tells_both_parties(booking):
    payment = Payment.objects.create(
        booking=booking,
        customer=booking.customer,
        provider=booking.provider,
        amount_cents=18000,
        fee_cents=1800,
        state=Payment.State.HELD,
        authorise_after=timezone.now(),
    )

    case = _open(booking, photos=[png(), png()])

    payment.refresh_from_db()
    assert payment.payout_held
    assert case.photos.count() == 2
    assert list(case.events.values_list("action", "actor")) == [("opened", booking.customer_id)]
    told = Notification.objects.filter(kind="support_case_opened", url=case.get_absolute_url())
    assert set(told.values_list("recipient", flat=True)) == {
        booking.customer_id,
        booking.provider.user_id,
    }

    services.case_close(case=case, actor=moderator_make(), outcome=Case.Outcome.FOR_PROVIDER)

    payment.refresh_from_db()
    assert not payment.payout_held


def test_messages_from_parties_and_moderators_only_while_open(booking):
    case = _open(booking)
    moderator = moderator_make()

    services.case_post(case=case, author=booking.provider.user, body="I fixed it on Tuesday.")
    services.case_post(case=case, author=moderator, body="", photos=[png()])
    with pytest.raises(NotAllowed):
        services.case_post(case=case, author=UserFactory(), body="Hello")
    with pytest.raises(NotAllowed):
        services.case_post(case=case, author=plain_staff_make(), body="Hello")
    with pytest.raises(Invalid):
        services.case_post(case=case, author=booking.customer, body="  \x00 ")
    with pytest.raises(Invalid):
        services.case_post(case=case, author=booking.customer, body="x" * 2001)

    assert case.messages.count() == 2
    assert case.photos.filter(message__isnull=False).count() == 1
    # The moderator's message tells both parties; the provider's only the customer.
    told = Notification.objects.filter(kind="support_case_message")
    assert sorted(told.values_list("recipient", flat=True)) == sorted(
        [booking.customer_id, booking.customer_id, booking.provider.user_id]
    )

    services.case_close(case=case, actor=moderator, outcome=Case.Outcome.NO_ACTION, note="Fixed.")
    with pytest.raises(WrongState):
        services.case_post(case=case, author=booking.customer, body="One more thing")


def test_closing_records_the_outcome_and_tells_both(booking):
    case = _open(booking)
    moderator = moderator_make()
    with pytest.raises(NotAllowed):
        services.case_close(case=case, actor=booking.customer, outcome=Case.Outcome.FOR_CUSTOMER)
    with pytest.raises(Invalid):
        services.case_close(case=case, actor=moderator, outcome="maybe")

    closed = services.case_close(
        case=case, actor=moderator, outcome=Case.Outcome.FOR_CUSTOMER, note="Refund agreed."
    )

    assert (closed.state, closed.outcome, closed.closed_by) == ("closed", "customer", moderator)
    assert closed.events.last().action == CaseEvent.Action.CLOSED
    assert Notification.objects.filter(kind="support_case_closed").count() == 2
    with pytest.raises(WrongState):
        services.case_close(case=case, actor=moderator, outcome=Case.Outcome.NO_ACTION)


def test_a_held_payment_cannot_be_refunded_but_the_case_can_close(booking):
    Payment.objects.create(
        booking=booking,
        customer=booking.customer,
        provider=booking.provider,
        amount_cents=18000,
        fee_cents=1800,
        state=Payment.State.HELD,
        authorise_after=timezone.now(),
    )
    case = _open(booking)
    moderator = moderator_make()

    with pytest.raises(WrongState) as refused:
        services.case_refund(case=case, actor=moderator, amount_cents=500)

    assert "not charged yet" in refused.value.message
    services.case_close(case=case, actor=moderator, outcome=Case.Outcome.NO_ACTION)
