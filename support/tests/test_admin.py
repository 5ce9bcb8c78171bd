"""Moderators in the admin: the queue of open cases (oldest first, age and amount), a case's
conversation, and the reply, refund and close forms, against a payment really charged on
localstripe."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from accounts.tests.moderators import moderator_make, plain_staff_make
from bookings.services import booking_accept, booking_complete
from bookings.tests.factories import BookingFactory
from notifications.models import Notification
from payments.ledger import ledger_totals
from payments.models import Payment, Refund
from payments.services.opening import payment_open
from payments.testing import card_saved
from support import services
from support.models import Case, CaseEvent
from support.tests.factories import CaseFactory

QUEUE = reverse("admin:support_case_changelist")


@pytest.fixture
def paid_booking(db, places, customer, django_capture_on_commit_callbacks):
    """A $180 job held on a real card when accepted, charged when completed an hour ago."""
    booking = BookingFactory(
        customer=customer,
        service__price="180.00",
        service__price_type="fixed",
        start=timezone.now() + timedelta(days=2),
    )
    booking.refresh_from_db()  # the price as the database keeps it (a Decimal)
    card_saved(customer)
    payment_open(booking=booking)
    provider = booking.provider.user
    with django_capture_on_commit_callbacks(execute=True):
        booking_accept(booking=booking, actor=provider)
    with django_capture_on_commit_callbacks(execute=True):
        booking_complete(booking=booking, actor=provider, now=booking.start + timedelta(hours=2))
    booking.refresh_from_db()
    assert Payment.objects.get(booking=booking).state == Payment.State.PAID
    return booking


@pytest.fixture
def case(paid_booking):
    return services.case_open(
        booking=paid_booking,
        user=paid_booking.customer,
        reason=Case.Reason.POOR_QUALITY,
        description="Half the downlights do not work.",
    )


def _change(case):
    return reverse("admin:support_case_change", args=[case.pk])


def test_a_partial_refund_through_the_case_on_a_paid_payment(client, case):
    moderator = moderator_make()
    client.force_login(moderator)
    payment = Payment.objects.get(booking=case.booking)
    assert payment.payout_held

    page = client.get(_change(case))
    assert "Up to $180.00" in page.text

    answer = client.post(
        reverse("admin:support_case_refund", args=[case.pk]),
        {"amount": "45.50", "note": "Three lights replaced by another electrician"},
    )

    assert answer.status_code == 302
    payment.refresh_from_db()
    case.refresh_from_db()
    assert (payment.refunded_cents, case.refunded_cents) == (4550, 4550)
    refund = Refund.objects.get(payment=payment)
    assert refund.stripe_refund_id and refund.actor == moderator
    assert f"Support case {case.pk}" in refund.reason
    assert sum(ledger_totals().values()) == 0
    event = case.events.get(action=CaseEvent.Action.REFUND)
    assert event.detail.startswith("$45.50")
    assert Notification.objects.filter(kind="support_case_refund").count() == 2

    # More than is left is refused with the payment's message; nothing changes.
    client.post(reverse("admin:support_case_refund", args=[case.pk]), {"amount": "150.00"})
    payment.refresh_from_db()
    assert payment.refunded_cents == 4550
    shown = [str(m) for m in client.get(_change(case)).context["messages"]]
    assert any("Refund between $0.01 and $134.50" in text for text in shown)


@pytest.mark.parametrize("amount", ["", "0", "-5", "1e309", "NaN", "99999999999", "١٢", "abc"])
def test_bad_refund_amounts_change_nothing(client, case, amount):
    client.force_login(moderator_make())

    answer = client.post(reverse("admin:support_case_refund", args=[case.pk]), {"amount": amount})

    assert answer.status_code == 302
    assert Payment.objects.get(booking=case.booking).refunded_cents == 0


def test_reply_and_close_from_the_admin(client, case):
    moderator = moderator_make()
    client.force_login(moderator)

    client.post(reverse("admin:support_case_reply", args=[case.pk]), {"body": "Looking now."})
    client.post(
        reverse("admin:support_case_close", args=[case.pk]),
        {"outcome": "customer", "note": "Partly refunded."},
    )

    case.refresh_from_db()
    assert case.messages.get().author == moderator
    assert (case.state, case.outcome, case.outcome_note) == (
        "closed",
        "customer",
        "Partly refunded.",
    )
    assert not Payment.objects.get(booking=case.booking).payout_held
    page = client.get(_change(case))
    assert "Looking now." in page.text and "This case is closed." in page.text


def test_the_queue_shows_open_cases_oldest_first_with_age_and_amount(
    client, db, places, django_assert_num_queries
):
    older, newer = CaseFactory(), CaseFactory()
    Case.objects.filter(pk=older.pk).update(opened_at=timezone.now() - timedelta(days=2))
    CaseFactory(state="closed", outcome="no_action", closed_at=timezone.now())
    client.force_login(moderator_make())

    page = client.get(QUEUE + "?state__exact=open")

    assert [row.pk for row in page.context["cl"].result_list] == [older.pk, newer.pk]
    assert "2\xa0days" in page.text
    # A fixed number whatever the number of cases (the amount is a subquery, not a query a row).
    with django_assert_num_queries(7):
        client.get(QUEUE + "?state__exact=open")
    CaseFactory.create_batch(3)
    with django_assert_num_queries(7):
        client.get(QUEUE + "?state__exact=open")


def test_only_moderators_reach_the_cases(client, case):
    for person in (plain_staff_make(), UserFactory(), case.booking.customer):
        client.force_login(person)
        assert client.get(_change(case)).status_code in (302, 403)
        client.post(reverse("admin:support_case_close", args=[case.pk]), {"outcome": "no_action"})
    case.refresh_from_db()
    assert case.state == Case.State.OPEN
