"""Reads of payments that pages and the API share."""

from __future__ import annotations

from accounts.models import User

from .models import Invoice


def invoice_for_party(*, user: User, invoice_id: int) -> Invoice | None:
    """An invoice its parties may download: the tax invoice by the booking's customer and
    provider, the platform fee receipt by the provider only. Anyone else gets None."""
    invoice = Invoice.objects.select_related("payment__provider").filter(pk=invoice_id).first()
    if invoice is None or not user.is_authenticated:
        return None
    is_provider = invoice.payment.provider.user_id == user.pk
    is_customer = invoice.payment.customer_id == user.pk
    if is_provider or (is_customer and invoice.kind == Invoice.Kind.TAX_INVOICE):
        return invoice
    return None
