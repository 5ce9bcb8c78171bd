"""Refunds of money already charged (a support case's outcome, or a moderator's decision).

Under the payment's row lock, so two refunds can never together give back more than was paid;
the Stripe call's idempotency key is derived from the payment's refunded total before it, so a
retry of the same refund is the same refund on Stripe.
"""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from marketplace.errors import Invalid, WrongState

from .. import stripe_api
from ..ledger import ledger_refund
from ..models import Payment, Refund
from ..money import dollars
from .locking import payment_lock


def payment_refund(
    *, payment_id: int, amount_cents: int, reason: str, actor: User | None
) -> Refund:
    """Give `amount_cents` of a paid payment back to the customer's card."""
    reason = reason.strip()
    if not reason:
        raise Invalid(fields={"reason": "Say why the money is refunded."})
    with transaction.atomic():
        payment = payment_lock(payment_id)
        if payment.state != Payment.State.PAID:
            raise WrongState("Only a payment that was charged can be refunded.")
        if not 0 < amount_cents <= payment.net_cents:
            raise Invalid(
                fields={
                    "amount_cents": f"Refund between $0.01 and {dollars(payment.net_cents)}, "
                    "what the customer has paid after earlier refunds."
                }
            )
        remote = stripe_api.refund_create(
            payment_intent_id=payment.stripe_payment_intent_id,
            amount_cents=amount_cents,
            idempotency_key=f"refund-{payment.pk}-{payment.refunded_cents}-{amount_cents}",
            metadata={"payment_id": str(payment.pk), "booking_id": str(payment.booking_id)},
        )
        refund = Refund.objects.create(
            payment=payment,
            kind=Refund.Kind.REFUND,
            amount_cents=amount_cents,
            reason=reason[:300],
            stripe_refund_id=remote.id,
            actor=actor,
        )
        payment.refunded_cents += amount_cents
        payment.save(update_fields=["refunded_cents", "updated_at"])
        ledger_refund(payment=payment, amount_cents=amount_cents, memo=f"Refund: {reason}")
    return refund


def payment_payout_hold(*, booking_id: int, held: bool) -> None:
    """Hold (or release) the provider's earning on this booking from payouts, while a support
    case on it is open."""
    Payment.objects.filter(booking_id=booking_id, payout__isnull=True).update(payout_held=held)
