"""A booking's money from authorisation to charge: held when the provider accepts (or nearer
the day), charged when the job is completed, released or charged only the fee when the booking
is cancelled, released when it is declined or expires.

Every function locks the payment row (payments.services.locking) and is idempotent: called
again, or concurrently, it finds the payment already moved on and does nothing. Stripe is called
under the lock with an idempotency key derived from the row (`payment-<id>-<step>-<attempt>`),
so a retry of a step that reached Stripe is the same request on Stripe. Before a capture the
intent is read back from Stripe, so a capture that succeeded on Stripe but whose commit was
lost is recorded instead of attempted again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from bookings.models import Booking
from marketplace.errors import NotAllowed, WrongState
from marketplace.events import send_on_commit

from .. import signals, stripe_api
from ..errors import CardDeclined
from ..ledger import ledger_charge
from ..models import Payment, Refund, SavedCard, StripeCustomer
from ..money import cents, dollars
from ..notifications import notify_payment_failed
from .locking import payment_lock
from .opening import authorise_after

State = Payment.State
# Stripe lets an authorisation be captured for 7 days.
AUTHORISATION_LIFETIME = timedelta(days=7)
NEEDS_ACTION_MESSAGE = (
    "Your bank wants you to confirm this payment: pay again and follow your bank's steps."
)
NO_CARD_MESSAGE = "There is no card on this booking: add one to pay."


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
        if payment.state == State.PAID or payment.booking.status != Booking.Status.COMPLETED:
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


def _release_reason(booking: Booking, fee_cents: int) -> str:
    who = "the provider" if booking.cancelled_by_id == booking.provider.user_id else "you"
    if booking.status != Booking.Status.CANCELLED:
        return f"The booking was {booking.get_status_display().lower()}: nothing is charged."
    if not fee_cents:
        return f"Cancelled by {who}: no cancellation fee applies, nothing is charged."
    return (
        f"Cancelled by {who}: the cancellation fee of {dollars(fee_cents)} is charged under the "
        f"{booking.get_cancellation_policy_display().lower()} policy; the rest is released."
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
        # No fee is None or Decimal("0.00"); cents() takes a Decimal.
        fee = min(cents(booking.cancellation_fee or Decimal(0)), payment.amount_cents)
        reason = _release_reason(booking, fee)
        if payment.state == State.HELD:
            return _settle_held(payment, fee=fee, reason=reason, now=now)
        if not fee:
            return _released(payment, reason=reason)
        if payment.card is None:
            return _fail(payment, "The cancellation fee could not be charged: add a card.")
        try:
            intent = _charge_card(payment, amount_cents=fee, capture=True, step="fee")
        except CardDeclined as declined:
            return _fail(payment, declined.message)
        payment.stripe_payment_intent_id = intent.id
        _record_charge(payment, amount_cents=fee, now=now, memo=f"Cancellation fee: {reason}")
    return payment


def _settle_held(payment: Payment, *, fee: int, reason: str, now: datetime) -> Payment:
    intent_id = payment.stripe_payment_intent_id
    if fee:
        stripe_api.intent_capture(
            payment_intent_id=intent_id,
            amount_cents=fee,
            idempotency_key=f"payment-{payment.pk}-capture-{intent_id}",
        )
        _record_charge(payment, amount_cents=fee, now=now, memo=f"Cancellation fee: {reason}")
    else:
        stripe_api.intent_cancel(
            payment_intent_id=intent_id, idempotency_key=f"payment-{payment.pk}-cancel-{intent_id}"
        )
        payment.state = State.RELEASED
        payment.save(update_fields=["state", "updated_at"])
    if payment.amount_cents > fee:
        Refund.objects.create(
            payment=payment,
            kind=Refund.Kind.RELEASE,
            amount_cents=payment.amount_cents - fee,
            reason=reason,
        )
    return payment


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
        if payment.state in (State.PAID, State.RELEASED) or booking.is_active:
            return payment
        reason = _release_reason(booking, 0)
        if payment.state == State.HELD:
            intent_id = payment.stripe_payment_intent_id
            stripe_api.intent_cancel(
                payment_intent_id=intent_id,
                idempotency_key=f"payment-{payment.pk}-cancel-{intent_id}",
            )
            Refund.objects.create(
                payment=payment,
                kind=Refund.Kind.RELEASE,
                amount_cents=payment.amount_cents,
                reason=reason,
            )
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
            intent_id = payment.stripe_payment_intent_id
            stripe_api.intent_cancel(
                payment_intent_id=intent_id,
                idempotency_key=f"payment-{payment.pk}-cancel-{intent_id}",
            )
            payment.state = State.SCHEDULED
            payment.authorised_at = None
            payment.save(update_fields=["state", "authorised_at", "updated_at"])
    return payment_authorise(payment_id=payment_id, now=now)


def payments_due_for_authorisation(*, now: datetime | None = None) -> list[int]:
    """Ids of confirmed bookings' payments whose day came near enough to authorise."""
    now = now or timezone.now()
    return list(
        Payment.objects.filter(
            state=State.SCHEDULED,
            authorise_after__lte=now,
            booking__status=Booking.Status.ACCEPTED,
        ).values_list("pk", flat=True)[:500]
    )
