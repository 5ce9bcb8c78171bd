"""Invoices on object storage (AWS_STORAGE_BUCKET_NAME set): written to the bucket's private
storage, never readable at their plain URL, downloaded only through invoice_download by their
parties. The bucket is a local S3 API server's (the root conftest's `object_storage`); no
Stripe is involved (the payment is marked paid directly)."""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from payments.models import Payment
from payments.services.invoices import invoices_issue
from payments.services.opening import payment_open

pytestmark = pytest.mark.django_db


def test_an_invoice_is_a_private_object_downloaded_by_its_parties_only(
    client, booking, customer, object_storage
):
    payment = payment_open(booking=booking)
    Payment.objects.filter(pk=payment.pk).update(state=Payment.State.PAID)
    invoice = next(i for i in invoices_issue(payment_id=payment.pk) if i.kind == "tax_invoice")

    assert invoice.file.name in object_storage.objects("invoices/")
    plain = f"{object_storage.endpoint}/{object_storage.bucket}/{invoice.file.name}"
    assert object_storage.anonymous_get(plain)[0] == 403

    url = reverse("invoice_download", args=[invoice.pk])
    client.force_login(customer)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
