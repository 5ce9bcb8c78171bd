"""Invoices follow the charge: when a payment is captured (the signal is sent after commit),
the task that issues its invoices is queued. A task lost while the broker was down is issued by
the beat task `invoices_issue_missing`; a second run issues nothing twice."""

from django.dispatch import receiver

from marketplace.queueing import enqueue

from . import tasks
from .models import Payment
from .signals import payment_captured


@receiver(payment_captured, sender=Payment, dispatch_uid="payments_invoices_on_capture")
def issue_invoices(sender, payment: Payment, **kwargs) -> None:
    enqueue(tasks.invoices_issue, payment_id=payment.pk)
