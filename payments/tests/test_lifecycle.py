"""A booking's money against the real (local) Stripe: held when the booking is confirmed
(accepted, booked instantly, or a quote accepted), charged on completion, released when it is
declined, expires or is cancelled for free; refused cards keep the booking."""

from datetime import timedelta
from decimal import Decimal

import pytest
import requests

from bookings.models import Booking
from bookings.services import booking_cancel, booking_create, booking_decline, booking_expire
from bookings.tests.conftest import free_slots
from bookings.tests.factories import open_all_week
from jobs import services as job_services
from jobs.tests.support import start_at
from listings.tests.factories import ServiceFactory, SubcategoryFactory
from payments.ledger import Account, payment_balances
from payments.models import Payment, Refund, SavedCard
from payments.services.opening import payment_open
from payments.testing import CARD_CHARGE_DECLINED, CARD_DECLINED, card_saved
from payments.tests.scenarios import (
    accepted,
    completed,
    ledger_checked,  # noqa: F401 (autouse)
    payment_of,
    stripe_net,
    stripe_status,
)

pytestmark = pytest.mark.usefixtures("ledger_checked")
State = Payment.State


@pytest.fixture
def instant_service(places):
    service = ServiceFactory(
        title="Gutter clean", price="180.00", duration_minutes=60, instant_book=True
    )
    open_all_week(service.provider)
    return service


def _book_instantly(service, customer, commit):
    with commit(execute=True):
        return booking_create(
            customer=customer,
            service=service,
            start=free_slots(service)[0].start,
            street_address="12 Campbell Parade",
            place="Bondi",
        )


def test_accepting_holds_the_full_amount_on_the_card(
    booking, customer, django_capture_on_commit_callbacks
):
    card_saved(customer)
    payment_open(booking=booking)

    payment = accepted(booking, django_capture_on_commit_callbacks)

    assert payment.state == State.HELD and payment.authorised_at is not None
    assert stripe_status(payment) == "requires_capture"
    assert stripe_net(payment) == 0  # held, not charged
    assert not payment.transactions.exists()


def test_an_instant_booking_is_held_at_once(
    instant_service, customer, django_capture_on_commit_callbacks
):
    card_saved(customer)

    booking = _book_instantly(instant_service, customer, django_capture_on_commit_callbacks)

    payment = payment_of(booking)
    assert booking.status == Booking.Status.ACCEPTED
    assert (payment.state, payment.amount_cents) == (State.HELD, 18000)
    assert stripe_status(payment) == "requires_capture"


def test_an_accepted_quote_is_held_at_once(customer, places, django_capture_on_commit_callbacks):
    subcategory = SubcategoryFactory(name="Tap repair")
    plumber = ServiceFactory(subcategory=subcategory, title="Tap fixing").provider
    job = job_services.job_post(
        customer=customer,
        subcategory=subcategory,
        title="Fix a leaking tap",
        description="The kitchen tap drips all night.",
        place="Bondi",
    )
    quote = job_services.quote_send(
        job=job, provider=plumber, price=Decimal("175.50"), start=start_at(days=3)
    )
    card_saved(customer)

    with django_capture_on_commit_callbacks(execute=True):
        job_services.quote_accept(quote=quote, actor=customer)

    quote.refresh_from_db()
    payment = payment_of(quote.booking)
    assert (payment.state, payment.amount_cents, payment.fee_cents) == (State.HELD, 17550, 1755)
    assert stripe_status(payment) == "requires_capture"


def test_completion_charges_the_full_amount_and_splits_it_in_the_ledger(
    booking, customer, django_capture_on_commit_callbacks
):
    card_saved(customer)
    payment_open(booking=booking)
    accepted(booking, django_capture_on_commit_callbacks)

    payment = completed(booking, django_capture_on_commit_callbacks)

    assert (payment.state, payment.captured_cents, payment.refunded_cents) == (State.PAID, 18000, 0)
    assert stripe_status(payment) == "succeeded"
    assert stripe_net(payment) == 18000
    assert payment_balances(payment) == {
        Account.STRIPE: 18000,
        Account.PLATFORM_FEES: -1800,
        Account.PROVIDER_PAYABLE: -16200,
    }
    assert payment.transactions.count() == 1


def test_a_provider_cancelling_costs_the_customer_nothing(
    booking, customer, django_capture_on_commit_callbacks
):
    card_saved(customer)
    payment_open(booking=booking)
    accepted(booking, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(
            booking=booking,
            actor=booking.provider.user,
            reason="Van broke down",
            now=booking.start - timedelta(hours=1),  # as late as can be
        )

    payment = payment_of(booking)
    assert (payment.state, payment.captured_cents) == (State.RELEASED, 0)
    assert stripe_status(payment) == "canceled"
    release = payment.refunds.get()
    assert (release.kind, release.amount_cents) == (Refund.Kind.RELEASE, 18000)
    assert release.reason.startswith("Cancelled by the provider: no cancellation fee")
    assert not payment.transactions.exists()


def test_a_request_cancelled_before_it_is_accepted_costs_nothing(
    booking, customer, django_capture_on_commit_callbacks
):
    card_saved(customer)
    payment_open(booking=booking)

    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(
            booking=booking,
            actor=customer,
            reason="Found someone",
            now=booking.start - timedelta(minutes=5),
        )

    payment = payment_of(booking)
    assert (payment.state, payment.stripe_payment_intent_id) == (State.RELEASED, "")
    assert not payment.refunds.exists() and not payment.transactions.exists()


def test_a_declined_request_charges_nothing(booking, customer, django_capture_on_commit_callbacks):
    card_saved(customer)
    payment_open(booking=booking)

    with django_capture_on_commit_callbacks(execute=True):
        booking_decline(booking=booking, actor=booking.provider.user, reason="Fully booked")

    payment = payment_of(booking)
    assert (payment.state, payment.stripe_payment_intent_id) == (State.RELEASED, "")
    assert not payment.transactions.exists()


def test_an_expired_request_charges_nothing(booking, customer, django_capture_on_commit_callbacks):
    card_saved(customer)
    payment_open(booking=booking)

    with django_capture_on_commit_callbacks(execute=True):
        booking_expire(booking=booking, now=booking.start + timedelta(minutes=1))

    payment = payment_of(booking)
    assert (payment.state, payment.captured_cents) == (State.RELEASED, 0)
    assert not payment.transactions.exists()


def test_a_late_release_task_never_lets_a_completed_jobs_hold_go(
    booking, customer, django_capture_on_commit_callbacks
):
    from payments.services.lifecycle import payment_release

    card_saved(customer)
    payment_open(booking=booking)
    accepted(booking, django_capture_on_commit_callbacks)
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.COMPLETED)

    assert payment_release(payment_id=payment_of(booking).pk).state == State.HELD
    assert stripe_status(payment_of(booking)) == "requires_capture"


def test_a_card_refused_when_saved_writes_nothing(booking, customer):
    with pytest.raises(requests.HTTPError, match="402"):
        card_saved(customer, CARD_DECLINED)

    assert not SavedCard.objects.exists()
    assert payment_open(booking=booking).state == State.NEEDS_CARD


def test_a_card_declined_on_an_instant_booking_keeps_the_booking(
    instant_service, customer, django_capture_on_commit_callbacks
):
    card_saved(customer, CARD_CHARGE_DECLINED)

    booking = _book_instantly(instant_service, customer, django_capture_on_commit_callbacks)

    booking.refresh_from_db()
    payment = payment_of(booking)
    assert booking.status == Booking.Status.ACCEPTED
    assert payment.state == State.FAILED
    assert payment.failure_message == "Your card was declined."
    assert (payment.stripe_payment_intent_id, payment.captured_cents) == ("", 0)
    assert customer.notifications.filter(kind="payment_failed").exists()
    assert booking.provider.user.notifications.filter(kind="payment_failed").exists()
