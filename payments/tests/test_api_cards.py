"""The payments API: a booking's payment for its two parties, the saved cards (list, a
SetupIntent, save, default, remove) and paying a booking with a card; others get 404."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from bookings.models import Booking
from payments.models import Invoice, Payment, Refund, SavedCard
from payments.services.opening import payment_open
from payments.testing import CARD_OK, card_saved, setup_intent_confirm


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_customer_reads_the_payment_without_the_providers_figures(customer, booking):
    card = card_saved(customer)
    payment_open(booking=booking)
    body = as_user(customer).get(f"/api/bookings/{booking.pk}/payment/").json()
    assert body["state"] == "scheduled" and body["state_label"] == "Card saved"
    assert (body["amount_cents"], body["currency"]) == (18000, "aud")
    assert body["fee_cents"] is None and body["provider_earns_cents"] is None
    assert body["card"] == {"id": card.pk, "brand": "visa", "last4": "4242"}


def test_the_provider_reads_the_fee_refunds_and_both_invoices(customer, booking):
    payment = payment_open(booking=booking)
    Payment.objects.filter(pk=payment.pk).update(
        state=Payment.State.PAID, captured_cents=18000, captured_at=timezone.now()
    )
    Refund.objects.create(payment=payment, kind="refund", amount_cents=500, reason="Goodwill")
    for kind in Invoice.Kind:
        Invoice.objects.create(payment=payment, kind=kind, number=kind[:6], file="invoices/x.pdf")
    body = as_user(booking.provider.user).get(f"/api/bookings/{booking.pk}/payment/").json()
    assert body["fee_cents"] == payment.fee_cents
    assert body["provider_earns_cents"] == 18000 - payment.fee_cents
    assert body["refunds"][0]["amount_cents"] == 500 and body["refunds"][0]["reason"] == "Goodwill"
    assert {i["kind"] for i in body["invoices"]} == {"tax_invoice", "fee_receipt"}
    assert body["invoices"][0]["download_url"].startswith("/payments/invoices/")
    customers = as_user(customer).get(f"/api/bookings/{booking.pk}/payment/").json()
    assert [i["kind"] for i in customers["invoices"]] == ["tax_invoice"]


def test_others_get_404(booking):
    payment_open(booking=booking)
    stranger = as_user(UserFactory())
    assert stranger.get(f"/api/bookings/{booking.pk}/payment/").status_code == 404
    assert stranger.post(f"/api/bookings/{booking.pk}/payment/pay/", {"card": 1}).status_code == 404
    provider = as_user(booking.provider.user)
    assert provider.post(f"/api/bookings/{booking.pk}/payment/pay/", {"card": 1}).status_code == 404
    assert APIClient().get(f"/api/bookings/{booking.pk}/payment/").status_code == 401


def test_a_card_is_saved_through_a_setup_intent(customer):
    api = as_user(customer)
    response = api.post("/api/payments/cards/setup-intents/")
    assert response.status_code == 201
    secret = response.json()["client_secret"]
    setup_intent_confirm(secret, CARD_OK).raise_for_status()
    response = api.post(
        "/api/payments/cards/", {"setup_intent": secret.split("_secret_")[0]}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["last4"] == "4242" and response.json()["is_default"]
    listed = api.get("/api/payments/cards/").json()
    assert [card["id"] for card in listed["results"]] == [response.json()["id"]]


@pytest.mark.parametrize("value", ["", "seti_unknown", "x" * 256, None])
def test_saving_refuses_bad_setup_intents(customer, value):
    card_saved(customer)
    response = as_user(customer).post(
        "/api/payments/cards/", {"setup_intent": value}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"code", "message", "fields"}
    assert SavedCard.objects.count() == 1


def test_default_and_remove(customer):
    first, second = card_saved(customer), card_saved(customer)
    api = as_user(customer)
    assert api.post(f"/api/payments/cards/{first.pk}/default/").json()["is_default"]
    assert api.delete(f"/api/payments/cards/{first.pk}/").status_code == 204
    second.refresh_from_db()
    assert second.is_default and not SavedCard.objects.filter(pk=first.pk).exists()


def test_another_persons_card_is_404(customer):
    theirs = card_saved(UserFactory())
    api = as_user(customer)
    assert api.post(f"/api/payments/cards/{theirs.pk}/default/").status_code == 404
    assert api.delete(f"/api/payments/cards/{theirs.pk}/").status_code == 404
    assert api.delete("/api/payments/cards/99999999999999999999/").status_code == 404
    assert SavedCard.objects.filter(pk=theirs.pk).exists()


def test_removing_a_card_on_an_unsettled_booking_is_refused(customer, booking):
    card = card_saved(customer)
    payment_open(booking=booking)
    response = as_user(customer).delete(f"/api/payments/cards/{card.pk}/")
    assert response.status_code == 409
    assert "not settled" in response.json()["message"]


def test_paying_a_booking_with_a_card(customer, booking):
    payment_open(booking=booking)
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.ACCEPTED)
    card = card_saved(customer)
    response = as_user(customer).post(
        f"/api/bookings/{booking.pk}/payment/pay/", {"card": card.pk}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["state"] == "held"


@pytest.mark.parametrize("value", ["", "abc", -1, 0, 10**20, None])
def test_paying_refuses_bad_card_values(customer, booking, value):
    payment_open(booking=booking)
    response = as_user(customer).post(
        f"/api/bookings/{booking.pk}/payment/pay/", {"card": value}, format="json"
    )
    assert response.status_code == 400
    assert Payment.objects.get(booking=booking).state == "needs_card"


def test_paying_with_someone_elses_card_is_refused(customer, booking):
    payment_open(booking=booking)
    theirs = card_saved(UserFactory())
    response = as_user(customer).post(
        f"/api/bookings/{booking.pk}/payment/pay/", {"card": theirs.pk}, format="json"
    )
    assert response.status_code == 403
    assert Payment.objects.get(booking=booking).card is None


@pytest.mark.parametrize("count", [1, 4])
def test_the_card_list_query_count_is_fixed(customer, count, django_assert_num_queries):
    for _ in range(count):
        card_saved(customer)
    api = as_user(customer)
    with django_assert_num_queries(2):  # the count, the page
        body = api.get("/api/payments/cards/").json()
    assert body["count"] == count
