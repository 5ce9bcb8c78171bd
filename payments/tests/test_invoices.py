"""Invoices: issued on the charge (once each), numbered from the sequence, the right figures
in valid PDFs, GST only for GST-registered providers, downloadable by their parties only."""

import re
import zlib

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from accounts.tests.factories import UserFactory
from payments import invoice_pdf
from payments.models import Invoice
from payments.services.invoices import gst_included, invoices_issue, payments_missing_invoices
from payments.services.refunds import payment_refund
from payments.tests.paid import payout_account


def pdf_text(data: bytes) -> str:
    """The text drawn by a PDF written with a built-in font: its content streams inflated,
    the strings of its text operators joined."""
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S)
    text = []
    for stream in streams:
        try:
            content = zlib.decompress(stream)
        except zlib.error:
            continue
        text += re.findall(rb"\((.*?)\)\s*Tj", content)
    return " ".join(part.decode("latin-1").replace("\\(", "(").replace("\\)", ")") for part in text)


def stored_text(invoice: Invoice) -> str:
    with default_storage.open(invoice.file.name, "rb") as handle:
        return pdf_text(handle.read())


@pytest.fixture(autouse=True)
def built_in_font(monkeypatch):
    """Helvetica, whose text reads straight from the PDF (DejaVu's is glyph ids)."""
    monkeypatch.setattr(invoice_pdf, "UNICODE_FONTS", None)


def test_gst_is_a_rounded_eleventh():
    assert [gst_included(c) for c in (0, 11, 18000, 1800, 5, 6)] == [0, 1, 1636, 164, 0, 1]


def test_a_charge_issues_a_tax_invoice_and_a_fee_receipt(pay, service):
    payout_account(service.provider, gst_registered=True)
    payment = pay()
    invoice = payment.invoices.get(kind=Invoice.Kind.TAX_INVOICE)
    receipt = payment.invoices.get(kind=Invoice.Kind.FEE_RECEIPT)
    assert re.fullmatch(r"NH-\d{6}", invoice.number)
    assert int(receipt.number[3:]) == int(invoice.number[3:]) + 1
    text = stored_text(invoice)
    assert "Tax invoice" in text and invoice.number in text
    assert service.provider.business_name in text and "ABN 51 824 753 556" in text
    assert "Casey Customer" in text and "Switchboard upgrade" in text
    assert "Total paid (AUD)" in text and "$180.00" in text
    assert "GST included in the total $16.36" in text
    fee = stored_text(receipt)
    assert "Nearhand Pty Ltd" in fee and "ABN 51 824 753 556" in fee
    assert "Platform fee (AUD) $18.00" in fee and "GST included in the total $1.64" in fee
    assert invoice.emailed_at is not None


def test_without_gst_registration_it_is_an_invoice_with_no_gst(pay):
    payment = pay()  # no payout details: not registered
    text = stored_text(payment.invoices.get(kind=Invoice.Kind.TAX_INVOICE))
    assert text.startswith("Invoice") and "Tax invoice" not in text
    assert "GST included" not in text and "not registered for GST" in text


def test_a_refund_before_the_invoice_is_on_it(pay, admin_user):
    payment = pay()
    payment.invoices.all().delete()
    payment_refund(payment_id=payment.pk, amount_cents=4500, reason="Part", actor=admin_user)
    invoices_issue(payment_id=payment.pk)
    text = stored_text(payment.invoices.get(kind=Invoice.Kind.TAX_INVOICE))
    assert "Amount charged $180.00" in text and "Refunded -$45.00" in text
    assert "Total paid (AUD) $135.00" in text
    fee = stored_text(payment.invoices.get(kind=Invoice.Kind.FEE_RECEIPT))
    assert "Platform fee (AUD) $13.50" in fee


def test_issuing_again_issues_nothing(pay):
    payment = pay()
    assert invoices_issue(payment_id=payment.pk) == []
    assert payment.invoices.count() == 2


def test_the_parties_are_told_with_the_link(pay, customer, service):
    payment = pay()
    invoice = payment.invoices.get(kind=Invoice.Kind.TAX_INVOICE)
    receipt = payment.invoices.get(kind=Invoice.Kind.FEE_RECEIPT)
    [told] = customer.notifications.filter(kind="invoice_issued")
    assert told.url == reverse("invoice_download", args=[invoice.pk])
    [told_provider] = service.provider.user.notifications.filter(kind="invoice_issued")
    assert told_provider.url == reverse("invoice_download", args=[receipt.pk])


def test_a_lost_task_is_swept_up(pay):
    from datetime import timedelta

    from django.utils import timezone

    payment = pay()
    payment.invoices.all().delete()
    later = timezone.now() + timedelta(minutes=11)
    assert payments_missing_invoices(now=later) == [payment.pk]
    invoices_issue(payment_id=payment.pk)
    assert payments_missing_invoices(now=later) == []


def test_the_customer_downloads_the_invoice_and_nobody_else_does(client, pay, customer, service):
    payment = pay()
    invoice = payment.invoices.get(kind=Invoice.Kind.TAX_INVOICE)
    receipt = payment.invoices.get(kind=Invoice.Kind.FEE_RECEIPT)
    client.force_login(customer)
    response = client.get(reverse("invoice_download", args=[invoice.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert client.get(reverse("invoice_download", args=[receipt.pk])).status_code == 404
    client.force_login(service.provider.user)
    assert client.get(reverse("invoice_download", args=[receipt.pk])).status_code == 200
    client.force_login(UserFactory())
    assert client.get(reverse("invoice_download", args=[invoice.pk])).status_code == 404
    assert client.get(reverse("invoice_download", args=[receipt.pk])).status_code == 404


def test_any_script_is_drawn_with_the_unicode_font(pay, customer, monkeypatch):
    monkeypatch.undo()  # DejaVu, where the machine has it
    if not all(path.exists() for path in invoice_pdf.UNICODE_FONTS):
        pytest.skip("DejaVu Sans is not installed here")
    customer.name = "李小龍 Nguyễn"
    customer.save()
    payment = pay()
    with default_storage.open(payment.invoices.get(kind="tax_invoice").file.name, "rb") as f:
        data = f.read()
    assert data.startswith(b"%PDF-") and b"DejaVu" in data
