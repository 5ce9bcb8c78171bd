"""The payments admin: every list loads with a fixed number of queries, search finds payments,
nothing about money is editable, and a payout batch is exported and marked paid from it."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.moderators import moderator_make
from listings.models import Category
from payments.models import Payout, PayoutBatch, WebhookEvent
from payments.services.payouts import payout_batch_create
from payments.services.refunds import payment_refund
from payments.tests.paid import payout_account

MODELS = [
    "payment", "refund", "ledgertransaction", "payoutbatch", "payout", "invoice",
    "webhookevent", "payoutaccount", "stripecustomer", "savedcard",
]  # fmt: skip


@pytest.fixture
def paid(pay, service):
    payout_account(service.provider)
    return pay()


@pytest.fixture
def batch(paid, settings, admin_user):
    payment_refund(payment_id=paid.pk, amount_cents=1000, reason="A tap left", actor=admin_user)
    WebhookEvent.objects.create(stripe_id="evt_1", type="charge.refunded", payload={})
    return payout_batch_create(
        now=timezone.now() + timedelta(days=settings.PAYOUT_HOLD_DAYS, minutes=1)
    )


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _listed(client, url, **params) -> list:
    response = client.get(url, params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


@pytest.mark.parametrize("model", MODELS)
def test_every_list_loads_in_a_fixed_number_of_queries(
    admin_client, batch, model, django_assert_max_num_queries
):
    url = reverse(f"admin:payments_{model}_changelist")
    with django_assert_max_num_queries(12):
        response = admin_client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_nothing_is_added_or_edited_or_deleted(admin_client, batch, model):
    from django.apps import apps

    row = apps.get_model("payments", model).objects.first()
    assert admin_client.get(reverse(f"admin:payments_{model}_add")).status_code == 403
    change = admin_client.get(reverse(f"admin:payments_{model}_change", args=[row.pk]))
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    assert (
        admin_client.get(reverse(f"admin:payments_{model}_delete", args=[row.pk])).status_code
        == 403
    )


def test_payments_are_found_by_booking_customer_business_and_intent(admin_client, paid):
    url = reverse("admin:payments_payment_changelist")
    for term in (
        str(paid.booking_id),
        paid.customer.email,
        paid.provider.business_name,
        paid.stripe_payment_intent_id,
    ):
        assert _listed(admin_client, url, q=term) == [paid], term
    assert _listed(admin_client, url, q="nobody@example.com") == []
    assert _listed(admin_client, url, state="paid") == [paid]
    assert _listed(admin_client, url, state="held") == []


@pytest.mark.parametrize("term", ["abc", "99999999999999999999", "²", "\x00", "1e309"])
def test_an_odd_search_is_no_error(admin_client, paid, term):
    assert (
        admin_client.get(reverse("admin:payments_payment_changelist"), {"q": term}).status_code
        == 200
    )


def test_a_ledger_transaction_shows_its_entries(admin_client, paid):
    transaction = paid.transactions.get()
    page = admin_client.get(
        reverse("admin:payments_ledgertransaction_change", args=[transaction.pk])
    ).content.decode()
    assert "$180.00" in page and "-$18.00" in page and "-$162.00" in page


def _act(client, action, batches):
    return client.post(
        reverse("admin:payments_payoutbatch_changelist"),
        {"action": action, "_selected_action": [b.pk for b in batches]},
    )


def test_the_batch_exports_the_bank_csv_then_is_marked_paid(admin_client, batch, paid):
    refused = _act(admin_client, "mark_paid", [batch])
    assert refused.status_code == 302
    assert Payout.objects.get().state == Payout.State.PENDING  # not exported yet
    response = _act(admin_client, "export_bank_csv", [batch])
    assert response["Content-Type"].startswith("text/csv")
    assert f"payouts-{batch.pk}-" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    # $180 less the $10 refund, less the 10% fee on $170.
    assert rows == [
        ["062-000", "12345678", "Sparky Electrical", "153.00", f"NH{batch.pk}-{paid.provider_id}"]
    ]
    batch.refresh_from_db()
    assert batch.exported_at is not None
    _act(admin_client, "mark_paid", [batch])
    _act(admin_client, "mark_paid", [batch])  # twice: done once
    assert Payout.objects.get().state == Payout.State.PAID
    assert paid.provider.user.notifications.filter(kind="payout_paid").count() == 1


def test_exporting_two_batches_at_once_is_refused(admin_client, batch):
    other = PayoutBatch.objects.create(cutoff=timezone.now())
    response = _act(admin_client, "export_bank_csv", [batch, other])
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.exported_at is None


def test_the_payout_account_list_masks_the_number(admin_client, paid):
    page = admin_client.get(reverse("admin:payments_payoutaccount_changelist")).content.decode()
    assert "•••••678" in page and "12345678" not in page


def test_a_moderator_cannot_open_the_money(client, batch):
    client.force_login(moderator_make())
    assert client.get(reverse("admin:payments_payoutbatch_changelist")).status_code == 403


def test_a_categorys_platform_fee_is_set_in_the_admin(admin_client, admin_user, service, rf):
    from django.contrib import admin

    category = service.subcategory.category
    listed = admin_client.get(reverse("admin:listings_category_changelist")).content.decode()
    assert "column-platform_fee_percent" in listed
    request = rf.get("/")
    request.user = admin_user
    form_class = admin.site._registry[Category].get_form(request, category)
    data = {"name": category.name, "slug": category.slug, "position": category.position}
    form = form_class({**data, "platform_fee_percent": "60"}, instance=category)
    assert not form.is_valid() and "platform_fee_percent" in form.errors
    form = form_class({**data, "platform_fee_percent": "12.50"}, instance=category)
    assert form.is_valid(), form.errors
    form.save()
    category.refresh_from_db()
    assert str(category.platform_fee_percent) == "12.50"
