"""Row locks: a payment is changed only under `SELECT ... FOR UPDATE` of its row, so two
captures, refunds or authorisations of one payment can never run at once (the second waits,
then sees what the first did)."""

from __future__ import annotations

from ..models import Payment


def payment_lock(payment_id: int) -> Payment:
    """The payment, locked until the caller's transaction ends (call inside atomic())."""
    return (
        Payment.objects.select_for_update(of=("self",))
        .select_related("booking", "customer", "provider", "card")
        .get(pk=payment_id)
    )
