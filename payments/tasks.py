"""Celery tasks: thin, each calls one service with ids. The beat tasks sweep up work whose task
was never queued (the broker was down when the booking changed, or a webhook arrived while the
worker was away)."""

import logging

from celery import shared_task

from .services import lifecycle, webhooks

logger = logging.getLogger(__name__)


@shared_task(name="payments.tasks.payment_authorise")
def payment_authorise(*, payment_id: int) -> None:
    lifecycle.payment_authorise(payment_id=payment_id)


@shared_task(name="payments.tasks.payment_capture")
def payment_capture(*, payment_id: int) -> None:
    lifecycle.payment_capture(payment_id=payment_id)


@shared_task(name="payments.tasks.payment_settle_cancellation")
def payment_settle_cancellation(*, payment_id: int) -> None:
    lifecycle.payment_settle_cancellation(payment_id=payment_id)


@shared_task(name="payments.tasks.payment_release")
def payment_release(*, payment_id: int) -> None:
    lifecycle.payment_release(payment_id=payment_id)


@shared_task(name="payments.tasks.payment_reschedule")
def payment_reschedule(*, payment_id: int) -> None:
    lifecycle.payment_reschedule(payment_id=payment_id)


@shared_task(name="payments.tasks.payments_sweep")
def payments_sweep() -> dict[str, int]:
    """Every 15 minutes: authorise the payments whose day came near, and do any step whose
    task was lost (capture, settle a cancellation, release)."""
    report = lifecycle.payments_sweep()
    if report.unavailable:
        logger.warning("Payment sweep: %d payments wait for Stripe", len(report.unavailable))
    return report.handled


@shared_task(name="payments.tasks.webhook_process")
def webhook_process(*, event_id: int) -> None:
    webhooks.webhook_process(event_id=event_id)


@shared_task(name="payments.tasks.webhooks_sweep")
def webhooks_sweep() -> int:
    """Process the Stripe events whose task was lost or failed (Stripe was unreachable)."""
    return webhooks.webhooks_sweep()


# --- Earnings: weekly payouts and invoices (payments/services/payouts.py, invoices.py) --------


@shared_task(name="payments.tasks.payout_batch_create")
def payout_batch_create() -> int | None:
    """Beat, weekly (PAYOUT_WEEKDAY at PAYOUT_HOUR): draw up the payout batch; its id."""
    from .services.payouts import payout_batch_create as create

    batch = create()
    return batch.pk if batch else None


@shared_task(name="payments.tasks.invoices_issue")
def invoices_issue(*, payment_id: int) -> None:
    """The payment was charged: its tax invoice and fee receipt (once each)."""
    from .services.invoices import invoices_issue as issue

    issue(payment_id=payment_id)


@shared_task(name="payments.tasks.invoices_issue_missing")
def invoices_issue_missing() -> int:
    """Beat: issue the invoices whose task was lost (the broker was down at the charge)."""
    from .services.invoices import invoices_issue as issue
    from .services.invoices import payments_missing_invoices

    missing = payments_missing_invoices()
    for payment_id in missing:
        issue(payment_id=payment_id)
    return len(missing)
