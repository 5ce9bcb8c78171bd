"""The earnings API: a provider's earnings with totals, payouts, payout details (masked on
read, validated on write); customers are refused, other providers see only their own."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import ProviderProfileFactory, UserFactory
from payments.models import PayoutAccount
from payments.services.payouts import payout_batch_create
from payments.tests.paid import payout_account

EARNINGS = "/api/portal/earnings/"
PAYOUTS = "/api/portal/payouts/"
ACCOUNT = "/api/portal/payout-account/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_provider_reads_each_earning_and_the_totals(paid, django_assert_num_queries):
    client = api(paid.provider.user)
    # Provider profile, count, rows, totals.
    with django_assert_num_queries(4):
        body = client.get(EARNINGS).json()
    [row] = body["results"]
    assert row["booking"] == paid.booking_id and row["job"] == "Switchboard upgrade"
    assert (row["price_cents"], row["fee_cents"], row["earned_cents"]) == (18000, 1800, 16200)
    assert (row["status"], row["currency"], row["paid_out_on"]) == ("held", "aud", None)
    assert body["totals"] == {"held": 16200, "available": 0, "next_transfer": 0, "paid_out": 0}


def test_payouts_are_listed(paid, settings):
    payout_account(paid.provider)
    batch = payout_batch_create(
        now=timezone.now() + timedelta(days=settings.PAYOUT_HOLD_DAYS, minutes=1)
    )
    body = api(paid.provider.user).get(PAYOUTS).json()
    [payout] = body["results"]
    assert (payout["amount_cents"], payout["state"]) == (16200, "pending")
    assert payout["reference"] == f"NH{batch.pk}-{paid.provider.pk}"
    assert api(paid.provider.user).get(EARNINGS).json()["results"][0]["status"] == "next_transfer"


def test_payout_details_are_set_and_read_back_masked(db):
    provider = ProviderProfileFactory(approved=True)
    client = api(provider.user)
    assert client.get(ACCOUNT).status_code == 404
    given = {"account_name": "Sparky", "bsb": "062-000", "account_number": "12345678",
             "abn": "51 824 753 556", "gst_registered": True}  # fmt: skip
    response = client.put(ACCOUNT, given, format="json")
    assert response.status_code == 200
    assert response.json()["account_number"] == "•••••678"
    read = client.get(ACCOUNT).json()
    assert (read["bsb"], read["account_number"], read["abn"]) == (
        "062-000",
        "•••••678",
        "51824753556",
    )
    assert "12345678" not in str(read)


def test_bad_payout_details_are_refused_in_the_one_format(db):
    provider = ProviderProfileFactory(approved=True)
    response = api(provider.user).put(
        ACCOUNT, {"account_name": "Sparky", "bsb": "٠٦٢٠٠٠", "account_number": "1"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and set(body["fields"]) == {"bsb", "account_number"}
    assert not PayoutAccount.objects.exists()


@pytest.mark.parametrize("url", [EARNINGS, PAYOUTS, ACCOUNT])
def test_a_customer_is_refused(db, url):
    response = api(UserFactory()).get(url)
    assert response.status_code == 403 and response.json()["code"] == "not_allowed"


def test_another_provider_sees_only_their_own(paid):
    payout_account(paid.provider)
    other = api(ProviderProfileFactory(approved=True).user)
    assert other.get(EARNINGS).json()["results"] == []
    assert other.get(PAYOUTS).json()["results"] == []
    assert other.get(ACCOUNT).status_code == 404
