"""A booking's money from authorisation to charge: held when the provider accepts (or nearer
the day), charged when the job is completed, released or charged only the fee when the booking
is cancelled, released when it is declined or expires.

Every function locks the payment row (payments.services.locking) and is idempotent: called
again, or concurrently, it finds the payment already moved on and does nothing. Stripe is called
under the lock with an idempotency key derived from the row (`payment-<id>-<step>-<attempt>`),
so a retry of a step that reached Stripe is the same request on Stripe. Before a capture the
intent is read back from Stripe, so a capture (or a fee capture, or a release) that succeeded
on Stripe but whose commit was lost is recorded instead of attempted again.

Each step is queued by payments.receivers when the booking changes; `payments_sweep` (beat,
every 15 minutes) does the steps whose task was lost and authorises the payments whose day came
near.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from bookings.models import Booking
from marketplace.errors import NotAllowed, WrongState
from marketplace.events import send_on_commit

from .. import signals, stripe_api
from ..errors import CardDeclined, PaymentsUnavailable
from ..ledger import ledger_charge
from ..models import Payment, Refund, SavedCard, StripeCustomer
from ..money import cents, dollars
from ..notifications import notify_payment_failed
from .locking import payment_lock
from .opening import authorise_after

logger = logging.getLogger(__name__)
State = Payment.State
# Stripe lets an authorisation be captured for 7 days.
AUTHORISATION_LIFETIME = timedelta(days=7)
NEEDS_ACTION_MESSAGE = (
    "Your bank wants you to confirm this payment: pay again and follow your bank's steps."
)
NO_CARD_MESSAGE = "There is no card on this booking: add one to pay."
# The booking statuses whose payment charges nothing at all.
RELEASING = (Booking.Status.DECLINED, Booking.Status.EXPIRED)


def _metadata(payment: Payment) -> dict[str, str]:
    return {"payment_id": str(payment.pk), "booking_id": str(payment.booking_id)}


def _fail(payment: Payment, message: str) -> Payment:
    """The card could not be charged: the customer is asked to pay again, the provider told.
    The booking stays as it is."""
    payment.state = State.FAILED if payment.card_id else State.NEEDS_CARD
    payment.failure_message = message[:300]
    payment.save(update_fields=["state", "failure_message", "attempts", "updated_at"])
    notify_payment_failed(payment=payment)
    send_on_commit(signals.payment_failed, sender=Payment, payment=payment)
    return payment


def _charge_card(payment: Payment, *, amount_cents: int, capture: bool, step: str) -> object:
    """A new PaymentIntent on the payment's card, off-session: held, or charged at once.
    Raises CardDeclined (recorded by the caller) or PaymentsUnavailable (nothing changed)."""
    customer = StripeCustomer.objects.get(user_id=payment.customer_id)
    payment.attempts += 1
    return stripe_api.intent_authorise(
        amount_cents=amount_cents,
        customer_id=customer.stripe_id,
        payment_method_id=payment.card.stripe_payment_method_id,
        idempotency_key=f"payment-{payment.pk}-{step}-{payment.attempts}",
        metadata=_metadata(payment),
        capture=capture,
    )


def _record_charge(payment: Payment, *, amount_cents: int, now: datetime, memo: str) -> None:
    payment.state = State.PAID
    payment.captured_cents = amount_cents
    payment.captured_at = now
    payment.failure_message = ""
    payment.save()
    ledger_charge(payment=payment, amount_cents=amount_cents, memo=memo)
    send_on_commit(signals.payment_captured, sender=Payment, payment=payment)


def payment_authorise(*, payment_id: int, now: datetime | None = None) -> Payment:
    """Hold the full amount on the customer's card, if the booking is confirmed and its day is
    near enough (PAYMENTS_AUTHORISE_DAYS_AHEAD); otherwise leave the payment as it is."""
    now = now or timezone.now()
    with transaction.atomic():
        payment = payment_lock(payment_id)
        booking = payment.booking
        if payment.state not in (State.SCHEDULED, State.NEEDS_CARD):
            return payment
        if booking.status != Booking.Status.ACCEPTED or now < payment.authorise_after:
            return payment
        if payment.card is None:
            return _fail(payment, NO_CARD_MESSAGE)
        try:
            intent = _charge_card(
                payment, amount_cents=payment.amount_cents, capture=False, step="authorise"
            )
        except CardDeclined as declined:
            return _fail(payment, declined.message)
        payment.stripe_payment_intent_id = intent.id
        if intent.status != "requires_capture":
            return _fail(payment, NEEDS_ACTION_MESSAGE)
        payment.state = State.HELD
        payment.authorised_at = now
        payment.failure_message = ""
        payment.save()
    return payment


def payment_pay_again(
    *, payment_id: int, actor: User, card_id: int, now: datetime | None = None
) -> Payment:
    """The customer chooses a card for a payment that needs one (or failed) and, when it is due,
    it is authorised at once: the page shows whether that worked."""
    with transaction.atomic():
        payment = payment_lock(payment_id)
        if payment.customer_id != actor.pk:
            raise NotAllowed("Only the customer pays for a booking.")
        if payment.state not in (State.NEEDS_CARD, State.FAILED, State.SCHEDULED):
            raise WrongState("This booking's payment does not need a card now.")
        card = SavedCard.objects.filter(pk=card_id, user=actor).first()
        if card is None:
            raise NotAllowed("That card is not one of yours.")
        payment.card = card
        payment.state = State.SCHEDULED
        payment.failure_message = ""
        payment.save(update_fields=["card", "state", "failure_message", "updated_at"])
    return payment_authorise(payment_id=payment_id, now=now)


def payment_capture(*, payment_id: int, now: datetime | None = None) -> Payment:
    """The job is completed: charge the customer the full amount. A held authorisation is
    captured; one that expired, or a payment never held, is charged anew off-session."""
    now = now or timezone.now()
    with transaction.atomic():
        payment = payment_lock(payment_id)
        if payment.state in (State.PAID, State.RELEASED):
            return payment
        if payment.booking.status != Booking.Status.COMPLETED:
            return payment
        if payment.state == State.HELD:
            intent = stripe_api.intent_retrieve(payment.stripe_payment_intent_id)
            if intent.status == "requires_capture":
                stripe_api.intent_capture(
                    payment_intent_id=intent.id,
                    amount_cents=payment.amount_cents,
                    idempotency_key=f"payment-{payment.pk}-capture-{intent.id}",
                )
            if intent.status in ("requires_capture", "succeeded"):
                _record_charge(
                    payment, amount_cents=payment.amount_cents, now=now, memo="Job completed"
                )
                return payment
            # The authorisation expired (or was cancelled on Stripe): charge anew below.
        if payment.card is None:
            return _fail(payment, NO_CARD_MESSAGE)
        try:
            intent = _charge_card(
                payment, amount_cents=payment.amount_cents, capture=True, step="charge"
            )
        except CardDeclined as declined:
            return _fail(payment, declined.message)
        payment.stripe_payment_intent_id = intent.id
        if intent.status != "succeeded":
            return _fail(payment, NEEDS_ACTION_MESSAGE)
        _record_charge(payment, amount_cents=payment.amount_cents, now=now, memo="Job completed")
    return payment


def _release_reason(booking: Booking, fee_cents: int, amount_cents: int = 0) -> str:
    who = "the provider" if booking.cancelled_by_id == booking.provider.user_id else "you"
    if booking.status != Booking.Status.CANCELLED:
        return f"The booking was {booking.get_status_display().lower()}: nothing is charged."
    if not fee_cents:
        return f"Cancelled by {who}: no cancellation fee applies, nothing is charged."
    policy = booking.get_cancellation_policy_display().lower()
    if fee_cents >= amount_cents:
        return f"Cancelled by {who}: the full price is charged under the {policy} policy."
    return (
        f"Cancelled by {who}: the cancellation fee of {dollars(fee_cents)} is charged under the "
        f"{policy} policy; the rest is released."
    )


def payment_settle_cancellation(*, payment_id: int, now: datetime | None = None) -> Payment:
    """The booking was cancelled: charge only its cancellation fee (booking.cancellation_fee,
    from the listing's policy) and release the rest; nothing at all when no fee applies."""
    now = now or timezone.now()
    with transaction.atomic():
        payment = payment_lock(payment_id)
        booking = payment.booking
        if payment.state in (State.PAID, State.RELEASED):
            return payment
        if booking.status != Booking.Status.CANCELLED:
            return payment
        # A free cancellation records Decimal("0.00"), which is falsy: keep it a Decimal.
        fee = min(cents(booking.cancellation_fee or Decimal(0)), payment.amount_cents)
        reason = _release_reason(booking, fee, payment.amount_cents)
        if payment.state == State.HELD:
            intent = stripe_api.intent_retrieve(payment.stripe_payment_intent_id)
            if intent.status in ("requires_capture", "succeeded", "canceled"):
                return _settle_held(payment, intent=intent, fee=fee, reason=reason, now=now)
            # The hold is gone on Stripe's side: settle as if nothing was held.
        if not fee:
            return _released(payment, reason=reason)
        return _charge_fee(payment, fee=fee, reason=reason, now=now)


def _charge_fee(payment: Payment, *, fee: int, reason: str, now: datetime) -> Payment:
    """Charge the cancellation fee anew, off-session (nothing was held for it)."""
    if payment.card is None:
        return _fail(payment, "The cancellation fee could not be charged: add a card.")
    try:
        intent = _charge_card(payment, amount_cents=fee, capture=True, step="fee")
    except CardDeclined as declined:
        return _fail(payment, declined.message)
    payment.stripe_payment_intent_id = intent.id
    if intent.status != "succeeded":
        return _fail(payment, NEEDS_ACTION_MESSAGE)
    _record_charge(payment, amount_cents=fee, now=now, memo=f"Cancellation fee: {reason}")
    return payment


def _settle_held(payment: Payment, *, intent: Any, fee: int, reason: str, now: datetime) -> Payment:
    """Capture the fee from the hold and let the rest go (or let all of it go). An intent
    already captured or cancelled on Stripe is a step whose commit was lost: it is recorded,
    not repeated."""
    if fee and intent.status == "canceled":
        return _charge_fee(payment, fee=fee, reason=reason, now=now)
    if fee:
        if intent.status == "requires_capture":
            stripe_api.intent_capture(
                payment_intent_id=intent.id,
                amount_cents=fee,
                idempotency_key=f"payment-{payment.pk}-capture-{intent.id}",
            )
        _record_charge(payment, amount_cents=fee, now=now, memo=f"Cancellation fee: {reason}")
    else:
        _cancel_hold(payment, intent_status=intent.status)
        _released(payment, reason=reason)
    _record_release(payment, amount_cents=payment.amount_cents - fee, reason=reason)
    return payment


def _cancel_hold(payment: Payment, *, intent_status: str) -> None:
    """Let the authorisation go on Stripe (unless it is gone already)."""
    if intent_status in ("canceled", "succeeded"):
        return
    intent_id = payment.stripe_payment_intent_id
    stripe_api.intent_cancel(
        payment_intent_id=intent_id, idempotency_key=f"payment-{payment.pk}-cancel-{intent_id}"
    )


def _record_release(payment: Payment, *, amount_cents: int, reason: str) -> None:
    """Show the customer what part of the hold was let go, and why."""
    if amount_cents > 0:
        Refund.objects.create(
            payment=payment, kind=Refund.Kind.RELEASE, amount_cents=amount_cents, reason=reason
        )


def _released(payment: Payment, *, reason: str) -> Payment:
    payment.state = State.RELEASED
    payment.failure_message = ""
    payment.save(update_fields=["state", "failure_message", "updated_at"])
    return payment


def payment_release(*, payment_id: int) -> Payment:
    """The booking was declined or expired: nothing is charged, any hold is let go."""
    with transaction.atomic():
        payment = payment_lock(payment_id)
        booking = payment.booking
        # Only these two: a completed booking is charged and a cancelled one settled by policy,
        # so a late or repeated release task must not let their money go.
        if payment.state in (State.PAID, State.RELEASED) or booking.status not in RELEASING:
            return payment
        reason = _release_reason(booking, 0)
        if payment.state == State.HELD:
            intent = stripe_api.intent_retrieve(payment.stripe_payment_intent_id)
            _cancel_hold(payment, intent_status=intent.status)
            _record_release(payment, amount_cents=payment.amount_cents, reason=reason)
        return _released(payment, reason=reason)


def payment_reschedule(*, payment_id: int, now: datetime | None = None) -> Payment:
    """The booking moved: authorise later if it is now far off (an authorisation would expire
    before the job), or now if it came near."""
    now = now or timezone.now()
    with transaction.atomic():
        payment = payment_lock(payment_id)
        booking = payment.booking
        payment.authorise_after = authorise_after(booking)
        payment.save(update_fields=["authorise_after", "updated_at"])
        held_too_long = (
            payment.state == State.HELD
            and payment.authorised_at is not None
            and booking.end > payment.authorised_at + AUTHORISATION_LIFETIME
        )
        if held_too_long:
            intent = stripe_api.intent_retrieve(payment.stripe_payment_intent_id)
            _cancel_hold(payment, intent_status=intent.status)
            payment.state = State.SCHEDULED
            payment.authorised_at = None
            payment.save(update_fields=["state", "authorised_at", "updated_at"])
    return payment_authorise(payment_id=payment_id, now=now)


# How many payments of each kind one sweep handles: a backlog is worked off over a few runs
# instead of one run holding the worker (and Stripe) for minutes.
SWEEP_BATCH = 100


@dataclass
class SweepReport:
    """What one sweep did: how many payments each step looked at, and which Stripe could not
    take (they are tried again on the next run)."""

    handled: dict[str, int] = field(default_factory=dict)
    unavailable: list[int] = field(default_factory=list)


Step = Callable[[int, datetime], Payment]


def _sweep_candidates(now: datetime) -> dict[str, tuple[Step, QuerySet]]:
    """For each step, the payments whose booking moved on while their payment did not (its
    task was lost), with the service that catches it up."""
    payments = Payment.objects.order_by("pk")
    return {
        "capture": (
            lambda pk, now: payment_capture(payment_id=pk, now=now),
            payments.filter(
                state__in=(State.HELD, State.SCHEDULED), booking__status=Booking.Status.COMPLETED
            ),
        ),
        # A failed or card-less payment is settled only when that charges nothing: trying a
        # refused card again every run would only repeat the refusal and its notifications.
        "settle": (
            lambda pk, now: payment_settle_cancellation(payment_id=pk, now=now),
            payments.filter(booking__status=Booking.Status.CANCELLED).filter(
                Q(state__in=(State.HELD, State.SCHEDULED))
                | Q(state__in=(State.FAILED, State.NEEDS_CARD), booking__cancellation_fee=0)
            ),
        ),
        "release": (
            lambda pk, now: payment_release(payment_id=pk),
            payments.filter(booking__status__in=RELEASING).exclude(
                state__in=(State.PAID, State.RELEASED)
            ),
        ),
        "authorise": (
            lambda pk, now: payment_authorise(payment_id=pk, now=now),
            payments.filter(
                state=State.SCHEDULED,
                authorise_after__lte=now,
                booking__status=Booking.Status.ACCEPTED,
            ),
        ),
    }


def payments_sweep(*, now: datetime | None = None, batch: int = SWEEP_BATCH) -> SweepReport:
    """Do every payment step whose task never ran (the broker was down when the booking
    changed) and authorise the payments whose day came near. Each payment is its own
    transaction: Stripe being unreachable for one does not stop the others."""
    now = now or timezone.now()
    report = SweepReport()
    for step, (service, candidates) in _sweep_candidates(now).items():
        ids = list(candidates.values_list("pk", flat=True)[:batch])
        report.handled[step] = len(ids)
        for payment_id in ids:
            try:
                service(payment_id, now)
            except PaymentsUnavailable:
                logger.warning("Payment sweep: Stripe did not answer for payment %s", payment_id)
                report.unavailable.append(payment_id)
    return report
