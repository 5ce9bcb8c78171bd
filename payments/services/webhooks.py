"""Stripe's webhooks: verified, stored once by event id, processed once after commit.

Our services are the source of truth: they call Stripe and record what they did. An event only
catches up what we missed, by reading the PaymentIntent back from Stripe (never trusting the
event's copy, which may be old: events arrive late, out of order and more than once):
- a hold that Stripe let go (cancelled there, or expired) puts the payment back to "card saved",
  so it is authorised again when due, or charged anew at completion;
- a hold Stripe has that we never recorded (our commit was lost after Stripe answered) is
  adopted;
- a capture that succeeded on Stripe for a completed job is recorded (payment_capture reads the
  intent first and does not capture again);
- a refund made on Stripe directly (its dashboard) is recorded in the ledger.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from stripe import InvalidRequestError, SignatureVerificationError

from bookings.models import Booking
from marketplace.errors import Invalid
from marketplace.queueing import enqueue_on_commit

from .. import stripe_api
from ..errors import PaymentsUnavailable
from ..ledger import ledger_refund
from ..models import Payment, Refund, WebhookEvent
from .lifecycle import payment_authorise, payment_capture
from .locking import payment_lock
from .reconcile import intent_net_cents

logger = logging.getLogger(__name__)
State = Payment.State

INTENT_EVENTS = frozenset(
    {
        "payment_intent.amount_capturable_updated",
        "payment_intent.succeeded",
        "payment_intent.payment_failed",
        "payment_intent.canceled",
    }
)
CHARGE_EVENTS = frozenset({"charge.refunded", "charge.captured"})
# An event whose task has not run this long after it arrived is swept up.
SWEEP_AFTER = timedelta(minutes=2)
SWEEP_BATCH = 100
DIRECT_REFUND_REASON = "Refunded on Stripe directly (recorded from Stripe's notice)."


def _parsed(payload: bytes) -> dict[str, Any]:
    """The event's JSON, checked for the fields we store; Invalid otherwise."""
    event = json.loads(payload)
    if not isinstance(event, dict):
        raise Invalid("The event is not a JSON object.")
    event_id, kind = event.get("id"), event.get("type")
    data = event.get("data")
    if not (isinstance(event_id, str) and event_id.startswith("evt_") and len(event_id) <= 255):
        raise Invalid("The event has no Stripe event id.")
    if not (isinstance(kind, str) and 0 < len(kind) <= 100):
        raise Invalid("The event has no type.")
    if not (isinstance(data, dict) and isinstance(data.get("object"), dict)):
        raise Invalid("The event has no object.")
    return event


def webhook_receive(*, payload: bytes, signature: str) -> tuple[WebhookEvent, bool]:
    """Store a Stripe event if Stripe signed it with our secret, and queue its processing for
    after commit; (the event, whether it is new). A replay returns the stored event and queues
    nothing. Raises Invalid for anything unsigned, wrongly signed, stale or malformed."""
    if not settings.STRIPE_WEBHOOK_SECRET:
        # With no secret anyone could sign; refuse everything until one is configured.
        raise Invalid("Webhooks are not configured here.")
    try:
        # Parsed first: the library assumes a JSON object and fails on anything else.
        event = _parsed(payload)
        stripe_api.webhook_event(payload=payload, signature=signature)
    except SignatureVerificationError as error:
        raise Invalid("The Stripe signature does not match.") from error
    except ValueError as error:  # bad JSON or bad UTF-8
        raise Invalid("The body is not a JSON event.") from error
    with transaction.atomic():
        stored, created = WebhookEvent.objects.get_or_create(
            stripe_id=event["id"], defaults={"type": event["type"], "payload": event}
        )
        if created:
            # Imported here: the tasks module imports this one.
            from .. import tasks

            enqueue_on_commit(tasks.webhook_process, event_id=stored.pk)
    return stored, created


def webhook_process(*, event_id: int, now: datetime | None = None) -> bool:
    """Act on a stored event once; True when it is done. Stripe being unreachable leaves it
    for the sweeper (the error is kept on the event)."""
    now = now or timezone.now()
    with transaction.atomic():
        event = (
            WebhookEvent.objects.select_for_update(skip_locked=True)
            .filter(pk=event_id, processed_at__isnull=True)
            .first()
        )
        if event is None:  # done already, or being done right now
            return False
        try:
            with transaction.atomic():
                _dispatch(event, now=now)
            event.error = ""
        except PaymentsUnavailable as error:
            if not _unknown_to_stripe(error):
                event.error = error.message
                event.save(update_fields=["error"])
                return False
            # Trying again would never help: done, with the reason kept.
            event.error = "Stripe does not know this event's payment intent."
        event.processed_at = now
        event.save(update_fields=["processed_at", "error"])
    return True


def _unknown_to_stripe(error: PaymentsUnavailable) -> bool:
    """Stripe answered 404: the intent is not in this Stripe account (or localstripe lost it)."""
    cause = error.__cause__
    return isinstance(cause, InvalidRequestError) and cause.http_status == 404


def webhooks_sweep(*, now: datetime | None = None, batch: int = SWEEP_BATCH) -> int:
    """Process the events still waiting a while after they arrived; how many were done."""
    now = now or timezone.now()
    waiting = WebhookEvent.objects.filter(
        processed_at__isnull=True, received_at__lte=now - SWEEP_AFTER
    ).order_by("received_at", "pk")
    ids = list(waiting.values_list("pk", flat=True)[:batch])
    return sum(webhook_process(event_id=event_id, now=now) for event_id in ids)


def _dispatch(event: WebhookEvent, *, now: datetime) -> None:
    obj = event.payload["data"]["object"]
    if event.type in INTENT_EVENTS:
        intent_id = obj.get("id")
    elif event.type in CHARGE_EVENTS:
        intent_id = obj.get("payment_intent")
    else:
        return  # an event we do not act on
    if not isinstance(intent_id, str) or not intent_id.startswith("pi_"):
        return
    payment = _payment_for(intent_id, obj.get("metadata"))
    if payment is not None:
        payment_sync(payment_id=payment.pk, intent_id=intent_id, now=now)


def _payment_for(intent_id: str, metadata: object) -> Payment | None:
    """The payment this intent is for: the one that recorded it, or, for a hold whose commit
    was lost, the one its metadata names that has recorded no intent."""
    payment = Payment.objects.filter(stripe_payment_intent_id=intent_id).first()
    if payment is not None:
        return payment
    payment_id = metadata.get("payment_id") if isinstance(metadata, dict) else None
    if not (isinstance(payment_id, str) and payment_id.isascii() and payment_id.isdigit()):
        return None
    return Payment.objects.filter(pk=int(payment_id), stripe_payment_intent_id="").first()


def payment_sync(*, payment_id: int, intent_id: str, now: datetime | None = None) -> Payment:
    """Catch our payment up with its intent as Stripe has it now (see the module's notes)."""
    now = now or timezone.now()
    with transaction.atomic():
        payment = payment_lock(payment_id)
        intent = stripe_api.intent_retrieve(intent_id)
        if not payment.stripe_payment_intent_id:
            _adopt_hold(payment, intent, now=now)
        if intent.id != payment.stripe_payment_intent_id:
            return payment  # an earlier attempt's intent: nothing of ours rests on it
        if payment.state == State.HELD and intent.status in ("canceled", "requires_payment_method"):
            _hold_lapsed(payment)
        elif payment.state == State.PAID:
            _record_direct_refunds(payment, intent)
    if payment.state == State.SCHEDULED:
        payment = payment_authorise(payment_id=payment_id, now=now)
    completed = payment.booking.status == Booking.Status.COMPLETED
    if completed and payment.state in (State.HELD, State.SCHEDULED):
        payment = payment_capture(payment_id=payment_id, now=now)
    return payment


def _adopt_hold(payment: Payment, intent: Any, *, now: datetime) -> None:
    """Record a hold Stripe made for this payment (its own metadata, as Stripe has it, says
    so) when our commit of it was lost."""
    adoptable = (State.SCHEDULED, State.FAILED, State.NEEDS_CARD)
    if intent.status != "requires_capture" or payment.state not in adoptable:
        return
    metadata = intent.to_dict().get("metadata") or {}
    if metadata.get("payment_id") != str(payment.pk) or intent.amount != payment.amount_cents:
        return
    payment.stripe_payment_intent_id = intent.id
    payment.state = State.HELD
    payment.authorised_at = now
    payment.failure_message = ""
    payment.save()


def _hold_lapsed(payment: Payment) -> None:
    logger.info("Payment %s: its hold was let go on Stripe", payment.pk)
    payment.state = State.SCHEDULED
    payment.authorised_at = None
    payment.save(update_fields=["state", "authorised_at", "updated_at"])


def _record_direct_refunds(payment: Payment, intent: Any) -> None:
    """Stripe says less was kept than our ledger does: the difference was refunded there."""
    missing = payment.net_cents - intent_net_cents(intent)
    if missing < 0:
        logger.warning("Payment %s: Stripe holds more than our ledger says", payment.pk)
    if missing <= 0:
        return
    Refund.objects.create(
        payment=payment, kind=Refund.Kind.REFUND, amount_cents=missing, reason=DIRECT_REFUND_REASON
    )
    payment.refunded_cents += missing
    payment.save(update_fields=["refunded_cents", "updated_at"])
    ledger_refund(payment=payment, amount_cents=missing, memo=DIRECT_REFUND_REASON)
