"""The booking page's payment panel (both parties), the card entry on the booking form and
the quote acceptance, and the booking page's query count with refunds and invoices."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.services import booking_accept, booking_cancel, booking_complete
from bookings.tests.factories import open_all_week
from jobs import services as job_services
from jobs.tests.support import send_quote
from payments.models import Invoice, Payment, Refund
from payments.services.opening import payment_open
from payments.testing import CARD_CHARGE_DECLINED, card_saved


def _page(client, user, booking) -> str:
    client.force_login(user)
    response = client.get(f"/bookings/{booking.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_booking_without_a_card_asks_the_customer_for_one(client, customer, booking):
    payment_open(booking=booking)
    html = _page(client, customer, booking)
    assert "Card needed" in html
    assert f'href="/bookings/{booking.pk}/pay/"' in html
    assert "$180.00 AUD" in html
    assert "Platform fee" not in html


def test_the_provider_sees_the_fee_and_their_earning_and_no_pay_link(client, booking):
    payment = payment_open(booking=booking)
    html = _page(client, booking.provider.user, booking)
    assert "Card needed" in html and "we asked for one" in html
    assert "/pay/" not in html
    assert f"Platform fee</dt><dd>${payment.fee_cents / 100:,.2f}" in html
    earning = (payment.amount_cents - payment.fee_cents) / 100
    assert f"You earn</dt><dd>${earning:,.2f}" in html


def test_a_card_saved_for_a_far_booking_says_when_it_is_authorised(client, customer, service):
    from bookings.tests.factories import BookingFactory

    card_saved(customer)
    far = BookingFactory(
        service=service, customer=customer, start=timezone.now() + timedelta(days=20)
    )
    far.refresh_from_db()
    payment = payment_open(booking=far)
    local = payment.authorise_after.astimezone(far.zone)
    html = _page(client, customer, far)
    assert f"Card saved: authorised on {local:%a} {local.day} {local:%b}" in html
    assert "Use another card" in html


def test_held_then_paid_with_a_receipt(
    client, customer, booking, django_capture_on_commit_callbacks
):
    card_saved(customer)
    payment_open(booking=booking)
    with django_capture_on_commit_callbacks(execute=True):
        booking_accept(booking=booking, actor=booking.provider.user)
    assert "Payment held" in _page(client, customer, booking)
    with django_capture_on_commit_callbacks(execute=True):
        booking_complete(
            booking=booking, actor=booking.provider.user, now=booking.start + timedelta(hours=2)
        )
    html = _page(client, customer, booking)
    assert ">Paid</span>" in html
    assert "Receipt" in html and "Amount paid</dt><dd>$180.00 AUD" in html
    assert "Paid with</dt><dd>Visa ending 4242" in html


def test_a_failed_payment_shows_its_message_and_pay_again(
    client, customer, booking, django_capture_on_commit_callbacks
):
    card_saved(customer, CARD_CHARGE_DECLINED)
    payment_open(booking=booking)
    with django_capture_on_commit_callbacks(execute=True):
        booking_accept(booking=booking, actor=booking.provider.user)
    html = _page(client, customer, booking)
    assert "Payment failed: " in html and "declined" in html
    assert ">Pay again</a>" in html
    html = _page(client, booking.provider.user, booking)
    assert ">Pay again</a>" not in html
    assert "we asked them to pay again" in html


def test_a_release_is_listed_with_its_reason(
    client, customer, booking, django_capture_on_commit_callbacks
):
    card_saved(customer)
    payment_open(booking=booking)
    with django_capture_on_commit_callbacks(execute=True):
        booking_accept(booking=booking, actor=booking.provider.user)
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(
            booking=booking,
            actor=customer,
            reason="Plans changed",
            now=booking.start - timedelta(days=2),
        )
    refund = Refund.objects.get()
    html = _page(client, customer, booking)
    assert "Refunds and releases" in html
    assert f"Released: ${refund.amount_cents / 100:,.2f}" in html
    assert refund.reason in html


def _paid_with_refunds_and_invoices(booking, customer, refunds: int):
    card_saved(customer)
    payment = payment_open(booking=booking)
    Payment.objects.filter(pk=payment.pk).update(
        state=Payment.State.PAID, captured_cents=18000, captured_at=timezone.now()
    )
    for number in range(refunds):
        Refund.objects.create(
            payment=payment, kind=Refund.Kind.REFUND, amount_cents=100, reason=f"Goodwill {number}"
        )
    for kind in Invoice.Kind:
        Invoice.objects.create(
            payment=payment, kind=kind, number=f"{kind[:2]}-{payment.pk}", file="invoices/x.pdf"
        )
    return payment


def test_invoices_are_linked_for_their_parties_only(client, customer, booking):
    payment = _paid_with_refunds_and_invoices(booking, customer, refunds=0)
    tax = payment.invoices.get(kind=Invoice.Kind.TAX_INVOICE)
    fee = payment.invoices.get(kind=Invoice.Kind.FEE_RECEIPT)
    html = _page(client, customer, booking)
    assert f'href="/payments/invoices/{tax.pk}/"' in html
    assert f'href="/payments/invoices/{fee.pk}/"' not in html
    html = _page(client, booking.provider.user, booking)
    assert f'href="/payments/invoices/{tax.pk}/"' in html
    assert f'href="/payments/invoices/{fee.pk}/"' in html


# The booking page for its customer; the payment panel adds 3 (the payment with its card,
# refunds, invoices) whatever their number, the support panel 1 (the booking's open case).
BOOKING_PAGE_QUERIES = 11


@pytest.mark.parametrize("refunds", [1, 4])
def test_the_booking_page_query_count_is_fixed(
    client, customer, booking, refunds, django_assert_num_queries
):
    _paid_with_refunds_and_invoices(booking, customer, refunds)
    client.force_login(customer)
    with django_assert_num_queries(BOOKING_PAGE_QUERIES):
        html = client.get(f"/bookings/{booking.pk}/").content.decode()
    assert html.count("Goodwill") == refunds


def test_the_booking_form_shows_the_card_entry_and_what_is_charged(client, customer, service):
    open_all_week(service.provider)
    card = card_saved(customer)
    client.force_login(customer)
    html = client.get(f"/bookings/new/{service.pk}/").content.decode()
    assert "You pay the provider after the job" not in html
    assert "data-card-fields" in html
    assert "Total: $180.00 AUD" in html
    assert "charged when the job is marked completed" in html
    assert "nothing is charged if the provider declines" in html
    assert f'name="card" value="{card.pk}" checked' in html
    assert "Paying by card needs JavaScript" in html
    assert "data-far-ahead" not in html


def test_the_booking_form_for_a_far_day_says_the_card_is_authorised_later(
    client, customer, service, settings
):
    open_all_week(service.provider)
    client.force_login(customer)
    day = timezone.localdate() + timedelta(days=settings.PAYMENTS_AUTHORISE_DAYS_AHEAD + 3)
    html = client.get(f"/bookings/new/{service.pk}/?date={day:%Y-%m-%d}").content.decode()
    assert (
        f"your card is saved now and authorised {settings.PAYMENTS_AUTHORISE_DAYS_AHEAD} days "
        "before the job" in html
    )


def test_the_quote_acceptance_shows_the_card_entry_once(client, customer, service):
    job = job_services.job_post(
        customer=customer,
        subcategory=service.subcategory,
        title="Fix the switchboard",
        description="It trips every evening.",
        place="Bondi",
        budget_min=None,
        budget_max=None,
    )
    send_quote(job, service.provider)
    client.force_login(customer)
    html = client.get(f"/jobs/{job.pk}/").content.decode()
    assert html.count("data-card-fields") == 1
    assert "data-pays-with-card" in html
    assert "authorised on your card when you accept" in html
