"""The Earnings page: each paid job with its price, fee, earning and status, totals per status,
the payout history, pages, and a prompt to set up payout details."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import ProviderProfileFactory, UserFactory
from listings.tests.factories import ServiceFactory
from payments import selectors
from payments.ledger import provider_earned_cents
from payments.selectors import EarningStatus
from payments.services.payouts import (
    payout_batch_create,
    payout_batch_export,
    payout_batch_mark_paid,
)
from payments.services.refunds import payment_refund
from payments.tests.paid import payout_account


def test_a_paid_job_shows_its_price_fee_and_earning(client, paid):
    provider = paid.provider
    client.force_login(provider.user)
    response = client.get(reverse("portal_earnings"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Switchboard upgrade" in page and paid.booking.get_absolute_url() in page
    # $180 at 10%: $18 to the platform, $162 to the provider; held for PAYOUT_HOLD_DAYS.
    assert "$180.00" in page and "$18.00" in page and "$162.00" in page
    assert "Held" in page
    assert "Set up payout details" in page  # no bank account yet


def test_earnings_are_counted_after_refunds(paid, admin_user):
    payment_refund(payment_id=paid.pk, amount_cents=9000, reason="Half done", actor=admin_user)
    now = timezone.now()
    [row] = selectors.provider_earnings(provider=paid.provider, now=now).rows
    assert row.payment.earned_cents == provider_earned_cents(paid) == 8100
    assert row.fee_cents == 900
    totals = selectors.provider_earning_totals(provider=paid.provider, now=now)
    assert totals == {"held": 8100, "available": 0, "next_transfer": 0, "paid_out": 0}


def test_the_status_follows_the_money(paid, admin_user, settings):
    provider = paid.provider
    payout_account(provider)
    later = timezone.now() + timedelta(days=settings.PAYOUT_HOLD_DAYS, minutes=1)

    def status():
        return selectors.provider_earnings(provider=provider, now=later).rows[0].status

    assert status() == EarningStatus.AVAILABLE
    paid.payout_held = True
    paid.save(update_fields=["payout_held"])
    assert status() == EarningStatus.HELD
    paid.payout_held = False
    paid.save(update_fields=["payout_held"])
    batch = payout_batch_create(now=later)
    assert status() == EarningStatus.NEXT_TRANSFER
    payout_batch_export(batch=batch)
    payout_batch_mark_paid(batch=batch, actor=admin_user, now=later)
    row = selectors.provider_earnings(provider=provider, now=later).rows[0]
    assert row.status == EarningStatus.PAID_OUT and row.paid_out_on is not None
    totals = selectors.provider_earning_totals(provider=provider, now=later)
    assert totals["paid_out"] == 16200 and sum(totals.values()) == 16200


def test_the_page_pins_its_queries_and_pages(
    client,
    pay,
    service,
    monkeypatch,
    django_assert_num_queries,
    admin_user,
):
    monkeypatch.setattr(selectors, "EARNINGS_PAGE_SIZE", 2)
    for days in (3, 4, 5):
        pay(days_ahead=days)
    provider = service.provider
    payout_account(provider)
    batch = payout_batch_create(now=timezone.now() + timedelta(days=30))
    payout_batch_export(batch=batch)
    payout_batch_mark_paid(batch=batch, actor=admin_user)
    client.force_login(provider.user)
    # Session, user, provider profile, totals, earnings rows, payouts, payout account, and the
    # header's unread notifications and messages.
    with django_assert_num_queries(9):
        first = client.get(reverse("portal_earnings"))
    assert first.content.decode().count("<tr>") == 2 + 2 + 1  # 2 header rows, 2 jobs, 1 payout
    assert 'rel="next"' in first.content.decode()
    with django_assert_num_queries(9):
        second = client.get(reverse("portal_earnings"), {"page": 2})
    assert 'rel="prev"' in second.content.decode()
    assert "$486.00" in first.content.decode()  # 3 x $162 paid out


@pytest.mark.parametrize("page", ["²", "٣", "99999999999999999999", "-1", "abc", ""])
def test_a_bad_page_number_is_the_first_page(db, client, page):
    provider = ProviderProfileFactory(approved=True)
    client.force_login(provider.user)
    assert client.get(reverse("portal_earnings"), {"page": page}).status_code == 200


def test_nobody_sees_another_providers_earnings(client, paid):
    other = ProviderProfileFactory(approved=True)
    ServiceFactory(provider=other)
    client.force_login(other.user)
    page = client.get(reverse("portal_earnings")).content.decode()
    assert "Switchboard upgrade" not in page and "$162.00" not in page


def test_a_customer_is_sent_to_onboarding(db, client):
    client.force_login(UserFactory())
    response = client.get(reverse("portal_earnings"))
    assert response.status_code == 302 and response.url == reverse("portal_onboarding")


@pytest.mark.parametrize(
    ("name", "current"), [("portal_earnings", "page"), ("portal_payout_account", "true")]
)
def test_the_portal_nav_marks_earnings(db, client, name, current):
    provider = ProviderProfileFactory(approved=True)
    client.force_login(provider.user)
    page = client.get(reverse(name)).content.decode()
    nav = page[page.index('aria-label="Provider portal"') :].split("</nav>")[0]
    assert re.findall(r'aria-current="(page|true)">([^<]+)</a>', nav) == [(current, "Earnings")]
